#pragma once
// Network: one party's links, as the runtime uses them. send() enqueues and
// returns; a writer coroutine per link sends everything queued since its last
// write as one gather write, so the messages of one round go out together.
// receive() waits for the message with a given label from a given peer: messages
// may arrive in any order, a reader coroutine per link keeps those nobody waits
// for yet. Every receive has a deadline; a dead link fails every pending and
// future receive from that peer at once, with the peer's name and the cause —
// except that, given a Relinker, a link that resets is first replaced within
// NetworkOptions::relink_timeout, losing nothing (docs/net.md, "Relinking").
//
// Threading: a Network and its links live on ONE executor (the party's
// io_context, run by one thread). Call every member from that thread; a Network
// is not thread-safe beyond that. Destroy it (or let it go) before its io_context.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

#include <meshmpc/net/frame.hpp>
#include <meshmpc/net/link.hpp>
#include <meshmpc/net/link_emulation.hpp>
#include <meshmpc/net/relinker.hpp>
#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/statistics.hpp>

namespace meshmpc::net {

struct NetworkOptions {
  // How long one receive() waits before throwing PeerError; also bounds shutdown().
  std::chrono::milliseconds receive_timeout{std::chrono::seconds(60)};
  // Frames a peer sent before this party asked for their labels wait in memory.
  // A peer legitimately runs ahead by about one round of the operations in
  // flight, so the caps are a multiple of that, not of what a socket can carry:
  // bytes — one largest frame (kDefaultMaxFrame: a 10^7-element Fp127 round is
  // 160 MB); frames — 65536, far more than the frames one round of even thousands
  // of concurrent operations sends one peer (about 60 bytes of bookkeeping each,
  // so ~4 MiB at the cap). Beyond either, the peer's link fails with a
  // ProtocolError naming it and the cap, and its waiting frames are dropped.
  std::size_t max_unclaimed_bytes = kDefaultMaxFrame;
  std::size_t max_unclaimed_frames = std::size_t{1} << 16;
  // How long shutdown() still waits for a peer that is in trouble — a receive
  // from it timed out, it aborted, its link failed — or for every peer after
  // abort(): long enough to flush the abort frames, not another receive_timeout.
  std::chrono::milliseconds failure_grace{std::chrono::seconds(2)};
  // With a Relinker (docs/net.md, "Relinking"): how long a peer whose link broke
  // underneath may take to be linked again before it fails with the cause (the
  // window is min(relink_timeout, receive_timeout)). Short, because a dead party
  // whose last bytes arrived as a reset is only named once it passes.
  std::chrono::milliseconds relink_timeout{std::chrono::seconds(5)};
  // With a Relinker: the data frames sent to one peer and not yet acknowledged
  // are kept for a resend. A peer acknowledges at least every kAckEveryFrames
  // frames or kAckEveryBytes bytes, so this holds about one round in flight;
  // beyond the cap the peer fails with a ProtocolError naming it.
  std::size_t max_resend_bytes = 2 * kDefaultMaxFrame;
  // A slower, farther link than the real one (link_emulation.hpp): every link,
  // relinked ones too, holds its frames back by half the round trip and the
  // uplink's rate. Inactive by default.
  LinkEmulation emulation{};
};

// A receiver acknowledges (kAckLabel) at least this often, so that its peer's
// resend buffer stays bounded by what is in flight.
inline constexpr std::size_t kAckEveryFrames = 256;
inline constexpr std::size_t kAckEveryBytes = std::size_t{1} << 20;

namespace detail {
struct NetworkState;
}

class Network {
 public:
  // links[j] is the link to party j (links[self] empty). Starts one reader and
  // one writer coroutine per link on `executor`. Throws ConfigError when the links
  // do not match the roster.
  Network(asio::any_io_executor executor, const Roster& roster, std::size_t self, Links links,
          NetworkOptions options = {});
  // As above, and a link that breaks underneath (LinkError) is replaced through
  // `relinker` within options.relink_timeout, with no message lost or repeated:
  // data frames are numbered by their order on the logical link, acknowledged
  // (kAckLabel) and resent from the peer's count on the new link. Null: as above.
  Network(asio::any_io_executor executor, const Roster& roster, std::size_t self, Links links,
          NetworkOptions options, std::shared_ptr<Relinker> relinker);
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  ~Network();  // close()

  std::size_t self() const;
  std::size_t size() const;
  const NetworkOptions& options() const;

  // Queues one message; never blocks. A message to self is delivered locally.
  // Messages to a peer whose link has failed are dropped (its receives report it).
  // Throws RangeError for an unknown peer, PeerError after close().
  void send(std::size_t peer, Label label, Payload payload);
  // As send, for bytes the message does not copy: written straight from the
  // owner's memory (frame.hpp, SharedBytes). Not for key material.
  void send_shared(std::size_t peer, Label label, SharedBytes bytes);
  // As send, for a payload that carries key material: every copy this party's
  // links make of it is wiped once written, or when it is dropped.
  void send_secret(std::size_t peer, Label label, Payload payload);

  // The payload of the message `label` from `peer`. Throws PeerError when the
  // receive timeout passes ("timed out after X s waiting for party j (name) label
  // L"), when the link to the peer is gone (its name and the cause) or on close();
  // ProtocolError when the peer broke the framing or sent a label twice.
  asio::awaitable<Payload> receive(std::size_t peer, Label label);

  // The clean end of a session: sends everything queued, tells every peer that
  // nothing more comes, waits until every peer has said the same, then close().
  // The wait is at most the receive timeout for a healthy peer, and at most
  // failure_grace for a peer in trouble (a receive from it timed out, it aborted
  // or its link failed) and, after abort(), for every peer. Never throws for a
  // peer's fault.
  asio::awaitable<void> shutdown();

  // The end of a session that failed here: tells every peer why (a frame with
  // kAbortLabel carrying `reason`, cut to kMaxPeerText bytes), then shutdown()
  // with failure_grace for every peer. A peer's receives from this party then fail
  // with "party i (name) stopped: <reason>" (sanitize_peer_text: a peer's text is
  // never logged raw), so that every party names the root cause — e.g. which
  // party died — not just the one that told it.
  asio::awaitable<void> abort(std::string reason);

  // Stops at once: queued messages are dropped, reader and writer coroutines end
  // and pending receives throw, so that io_context::run() returns.
  void close();

  NetworkStatistics statistics() const;

 private:
  void enqueue(std::size_t peer, Frame frame);

  std::shared_ptr<detail::NetworkState> state_;
};

}  // namespace meshmpc::net
