#pragma once
// Core<F>: one party's state for one computation — who it is, the field, the
// links, the Shamir engine, PRSS and pairwise keys. Protocol functions take a Core
// and a Scope; user code goes through the Session handle (session.hpp).
//
// Threading: a Core and its Network live on one io_context run by one thread.
#include <meshmpc/error.hpp>
#include <meshmpc/field/prime_field.hpp>
#include <meshmpc/net/network.hpp>
#include <meshmpc/runtime/received.hpp>
#include <meshmpc/runtime/scope.hpp>
#include <meshmpc/runtime/session_options.hpp>
#include <meshmpc/sharing/extraction.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/prss.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meshmpc {

// The PRSS counter of a draw is the label it was issued under: every kind of
// draw has its own subkey (Prss::kind_key), so the whole 64-bit label is the
// nonce's position.
inline std::uint64_t prss_counter(Scope::Label label) { return label; }

// What a pairwise key is used for. Each use has its own subkey, derived from the
// pair's key when the key arrives (Core::set_pair_key).
enum class PairKeyUse : std::size_t {
  grr_subshares = 0,  // GRR resharing: the sub-shares a follower computes instead of receiving
  dealt_bits = 1,     // random bits by dealt XOR: the dealt share the dealer's follower computes
};
inline constexpr std::size_t kPairKeyUses = 2;

template <FiniteField F>
using Shares = std::vector<typename F::Element>;

template <FiniteField F>
class Core {
 public:
  using Element = typename F::Element;

  // The threshold and the randomness are resolved here, where n is known
  // (resolve_threshold: ConfigError for 2t >= n or an unrequested t = 0;
  // resolve_randomness); options() then holds the resolved values.
  // `root`: the session's root scope, whose depth now is the session's round 0
  // (a sub-session's root is a child of its parent's handle: it starts deeper).
  Core(F field, net::Network& network, SessionOptions options, const Scope& root)
      : field_(std::make_shared<const F>(std::move(field))),
        net_(network),
        options_(options),
        n_(network.size()),
        t_(resolve_threshold(options, n_)),
        self_(network.self()),
        shamir_(*field_, n_, t_),
        extractor_(*field_, n_, t_),
        rounds_base_(root.rounds()) {
    options_.threshold = t_;
    options_.randomness = resolve_randomness(options, t_);
  }

  const F& field() const { return *field_; }
  // The field as owned by this session: secure values hold it (SecFld), so a value
  // kept after its session ended still reads a live field, and values of
  // different sessions are told apart by it.
  const std::shared_ptr<const F>& field_handle() const { return field_; }
  std::size_t n() const { return n_; }
  std::size_t t() const { return t_; }
  std::size_t self() const { return self_; }
  const SessionOptions& options() const { return options_; }
  const Shamir<F>& shamir() const { return shamir_; }
  const Extractor<F>& extractor() const { return extractor_; }
  // prss or extraction (never automatic): what set-up distributes keys for.
  Randomness randomness() const { return options_.randomness; }
  net::Network& network() { return net_; }
  Prg& rng() { return rng_; }

  bool has_prss() const { return prss_.has_value(); }
  const Prss<F>& prss() const { return *prss_; }
  void set_prss(Prss<F> prss) { prss_.emplace(std::move(prss)); }

  // The subkey for one use of the key shared with one peer.
  const Prg::Key& pair_key(std::size_t peer, PairKeyUse use) const {
    const auto it = pair_keys_.find(peer);
    if (it == pair_keys_.end())
      throw ConfigError("party " + std::to_string(self_) + " has no pairwise key with party " + std::to_string(peer) +
                        " (the session's setup did not run)");
    return it->second.keys[static_cast<std::size_t>(use)];
  }
  // Derives one subkey per use from the key shared with `peer` and keeps only
  // those; the caller wipes its copy of `key`.
  void set_pair_key(std::size_t peer, const Prg::Key& key) {
    PairKeys& mine = pair_keys_[peer];
    // The context names the one use each subkey is for (8 bytes, crypto_kdf).
    Prg::derive_key(key, "grr-subs", mine.keys[static_cast<std::size_t>(PairKeyUse::grr_subshares)]);
    Prg::derive_key(key, "rbit-xor", mine.keys[static_cast<std::size_t>(PairKeyUse::dealt_bits)]);
  }

  // The communication depth of the work issued through a handle's scope, in
  // rounds: the longest chain of exchanges, one after another, that it waited on
  // (Scope: work run at once counts once, its longest branch), from this
  // session's start. Every protocol counts its own rounds on its scope
  // (Scope::count_rounds), so the figure is the same on every run and every
  // transport. For the summaries of programs and benchmarks.
  std::uint64_t rounds(const Scope& handle) const { return handle.rounds() - rounds_base_; }

  // The audit (transcript) hook: when set, told every vector this party learns by
  // reconstructing a sharing — user openings ("open", "open_to") and each protocol's
  // masked or random openings, tagged with the step that opened them
  // (docs/security.md lists the tags). A user can audit what a program reveals; the
  // privacy tests check that each tag's values are simulatable. Unset: one branch
  // per opening. Called on this party's thread, before the opening returns.
  using OpenObserver = std::function<void(std::string_view tag, std::span<const Element> values)>;
  void set_open_observer(OpenObserver observer) { open_observer_ = std::move(observer); }
  void observe_open(std::string_view tag, std::span<const Element> values) const {
    if (open_observer_) open_observer_(tag, values);
  }

  // Sends field elements to one peer under a label (a copy of them goes out).
  void send(std::size_t peer, Scope::Label label, std::span<const Element> values) {
    net::Payload payload(values.size() * field_->byte_size());
    field_->to_wire(values, payload);
    net_.send(peer, label, std::move(payload));
  }
  // Sends a batch that nobody changes any more: where the field's wire form is
  // its memory, the link writes it from `values` itself (no copy), and one batch
  // sent to several peers stays one vector until the last link is done with it.
  void send(std::size_t peer, Scope::Label label, std::shared_ptr<const Shares<F>> values) {
    if (!field_->wire_is_memory()) {
      send(peer, label, std::span<const Element>(*values));
      return;
    }
    const auto bytes = std::as_bytes(std::span<const Element>(*values));
    net_.send_shared(peer, label, net::SharedBytes{std::move(values), bytes});
  }
  // As above, for a batch the caller gives up.
  void send(std::size_t peer, Scope::Label label, Shares<F>&& values) {
    send(peer, label, std::make_shared<const Shares<F>>(std::move(values)));
  }

  // Receives exactly `count` field elements from one peer under a label, as a
  // vector of their own.
  boost::asio::awaitable<Shares<F>> receive(std::size_t peer, Scope::Label label, std::size_t count) {
    const net::Payload payload = co_await receive_checked_length(peer, label, count);
    try {
      co_return field_->from_wire(payload, count);
    } catch (const RangeError& e) {
      throw_malformed(peer, e);
    }
  }
  // As receive, read where the message arrived where the field allows
  // (Received): for elements that are only read, e.g. combined into a result.
  boost::asio::awaitable<Received<F>> receive_view(std::size_t peer, Scope::Label label, std::size_t count) {
    net::Payload payload = co_await receive_checked_length(peer, label, count);
    try {
      if (const auto view = field_->view_wire(payload, count)) co_return Received<F>(std::move(payload), *view);
      co_return Received<F>(field_->from_wire(payload, count));
    } catch (const RangeError& e) {
      throw_malformed(peer, e);
    }
  }

 private:
  boost::asio::awaitable<net::Payload> receive_checked_length(std::size_t peer, Scope::Label label,
                                                              std::size_t count) {
    net::Payload payload = co_await net_.receive(peer, label);
    if (payload.size() != count * field_->byte_size())
      throw ProtocolError("party " + std::to_string(peer) + " sent " + std::to_string(payload.size()) +
                          " bytes for label " + std::to_string(label) + ", expected " +
                          std::to_string(count) + " elements of " + field_->name());
    co_return payload;
  }
  [[noreturn]] static void throw_malformed(std::size_t peer, const RangeError& e) {
    throw ProtocolError("party " + std::to_string(peer) + " sent a malformed element: " + e.what());
  }

  // Subkeys of one pairwise key, wiped when the Core goes (or the entry is replaced).
  struct PairKeys {
    std::array<Prg::Key, kPairKeyUses> keys{};
    PairKeys() = default;
    PairKeys(const PairKeys&) = delete;
    PairKeys& operator=(const PairKeys&) = delete;
    ~PairKeys() {
      for (auto& k : keys) wipe(k);
    }
  };

  std::shared_ptr<const F> field_;
  net::Network& net_;
  SessionOptions options_;
  std::size_t n_, t_, self_;
  Shamir<F> shamir_;
  Extractor<F> extractor_;
  std::optional<Prss<F>> prss_;
  std::map<std::size_t, PairKeys> pair_keys_;
  Prg rng_;
  std::uint64_t rounds_base_;
  OpenObserver open_observer_;
};

}  // namespace meshmpc
