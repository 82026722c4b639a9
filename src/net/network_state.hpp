#pragma once
// What a Network shares with its reader, writer and relinking coroutines (not
// installed): each peer's queues, waiting receives, failure and statistics, and
// with a Relinker the logical link's numbering and resend buffer.
// network_state.cpp delivers frames and failures and keeps the acknowledgements;
// link_loops.cpp runs a peer's link without relinking, relink_session.cpp with it;
// network.cpp is the Network's public face.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <meshmpc/net/frame.hpp>
#include <meshmpc/net/link.hpp>
#include <meshmpc/net/network.hpp>
#include <meshmpc/net/relinker.hpp>
#include <meshmpc/net/roster.hpp>
#include <meshmpc/net/statistics.hpp>

#include "async_util.hpp"
#include "receive_watchdog.hpp"

namespace meshmpc::net::detail {

// One receive() waiting for its message, until its deadline (ReceiveWatchdog).
struct Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : wake(executor) {}
  Notifier wake;
  std::optional<Payload> payload;
  std::exception_ptr error;
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;
};

// Data frames written to a relinkable link in one write, kept until the peer
// acknowledges them all: frames[first_data..] are data frames numbered from
// `first` (frames[0] may be the ack that went out with them).
struct SentBatch {
  std::uint64_t first = 0;
  std::size_t first_data = 0;
  std::vector<Frame> frames;
  std::size_t bytes = 0;  // payload bytes of the data frames

  std::uint64_t end() const { return first + (frames.size() - first_data); }
  // The frames the peer has not acknowledged, `acked` being its count.
  std::span<const Frame> unacked(std::uint64_t acked) const {
    const std::size_t skip = acked > first ? static_cast<std::size_t>(std::min(acked, end()) - first) : 0;
    return std::span<const Frame>(frames).subspan(first_data + skip);
  }
};

struct PeerState {
  PeerState() = default;
  PeerState(PeerState&&) = default;
  ~PeerState() {  // key material never queued, or kept for a resend, must not linger either
    wipe_secrets(outbox);
    for (SentBatch& batch : resend) wipe_secrets(batch.frames);
  }

  std::string name;  // "party 2 (carol)"
  std::shared_ptr<Link> link;  // shared: a replaced link lives until its reader and writer let go
  std::unique_ptr<Notifier> writer_wake;
  std::vector<Frame> outbox;
  std::unordered_map<Label, Payload> arrived;
  std::size_t arrived_bytes = 0;  // the payload bytes in `arrived`
  std::unordered_map<Label, Waiter*> waiting;
  std::exception_ptr failure;  // set once the peer can send nothing more
  // When the peer got into trouble (shutdown waits for it only failure_grace):
  // its link failed or it aborted; a receive from it timed out (cleared when a
  // later receive from it succeeds, as it then is merely slow).
  std::optional<std::chrono::steady_clock::time_point> failed_at;
  std::optional<std::chrono::steady_clock::time_point> timed_out_at;
  bool reader_done = true;
  bool writer_done = true;
  PeerStatistics statistics;

  // Relinking (only with a Relinker): the logical link's numbering and resend buffer.
  std::unique_ptr<Notifier> relink_wake;  // a link was offered, or close()
  std::unique_ptr<Link> offered;          // a new link from the peer, not yet in use
  std::uint64_t received = 0;             // data frames received whole
  std::uint64_t ack_sent = 0;             // `received` as of the last ack sent
  std::size_t bytes_since_ack = 0;
  std::uint64_t sent = 0;                 // data frames handed to a link
  std::uint64_t acked = 0;                // the peer's count
  std::deque<SentBatch> resend;           // sent, not yet acknowledged in full
  std::size_t resend_bytes = 0;
  bool counted = true;  // the peer's count arrived on the current link (the first link starts at 0)
};

struct NetworkState {
  NetworkState(asio::any_io_executor executor_in, const Roster& roster, std::size_t self_in,
               NetworkOptions options_in);

  asio::any_io_executor executor;
  std::size_t self;
  std::string self_name;
  NetworkOptions options;
  std::vector<PeerState> peers;  // never resized: coroutines hold references
  Notifier progress;             // a reader or writer ended, or a peer got into trouble
  ReceiveWatchdog watchdog;      // the waiting receives' deadlines
  std::optional<std::chrono::steady_clock::time_point> aborted_at;  // abort() was called
  bool finishing = false;
  bool closed = false;
  std::shared_ptr<Relinker> relinker;  // null: a broken link fails its peer
  std::shared_ptr<EmulatedUplink> uplink;  // with options.emulation: what the links share

  // A link as this network runs it: behind the emulation when there is one.
  std::unique_ptr<Link> adopt(std::unique_ptr<Link> link);

  // RangeError naming this party when there is no party `peer`.
  PeerState& peer_state(std::size_t peer);

  // A second frame with a label that is still unclaimed is a protocol error: labels
  // are unique per program point, so the sender's program differs from ours. So
  // is a peer running further ahead than the unclaimed caps allow (NetworkOptions):
  // otherwise it could fill our memory with frames for labels nobody waits for.
  void deliver(std::size_t from, Frame frame);
  void check_unclaimed_caps(PeerState& peer, std::size_t adding);

  // The peer can send nothing more: fail its pending receives now, future ones
  // when they look. A broken link (not a clean end of stream) is closed as well.
  void fail(std::size_t from, std::exception_ptr error, bool close_link);

  // Relinking: an ack frame carrying how many data frames came from `peer`.
  Frame ack_frame(PeerState& peer);

  // Whether the peer's resend buffer has grown enough that an ack must go out
  // even with nothing else to send.
  static bool ack_due(const PeerState& peer) {
    return peer.received - peer.ack_sent >= kAckEveryFrames || peer.bytes_since_ack >= kAckEveryBytes;
  }

  void take_ack(std::size_t from, const Payload& payload);

  // Drops what the peer has acknowledged from its resend buffer (wiping key
  // material); throws ProtocolError when what is left is over the cap.
  void trim_resend(PeerState& peer);

  // A new link from the peer (the transport accepted it): it replaces the old
  // one, even if that still looks fine (half-open TCP).
  void offer(std::unique_ptr<Link> link);

  // Until when shutdown() waits for `peer`, having started at `started`.
  std::chrono::steady_clock::time_point shutdown_deadline(const PeerState& peer,
                                                          std::chrono::steady_clock::time_point started) const;
};

// Without a Relinker: the reader and the writer of the link to one peer
// (link_loops.cpp); a broken link fails the peer.
asio::awaitable<void> read_loop(std::shared_ptr<NetworkState> state, std::size_t from);
asio::awaitable<void> write_loop(std::shared_ptr<NetworkState> state, std::size_t to);

// With a Relinker: the reader and writer of each link to one peer in turn, a
// broken link replaced within the relink window (relink_session.cpp).
asio::awaitable<void> link_session(std::shared_ptr<NetworkState> state, std::size_t peer_id);

}  // namespace meshmpc::net::detail
