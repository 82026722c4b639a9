#pragma once
// Session set-up over fresh links: agree on the parameters (the resolved
// randomness among them), then distribute the keys that make randomness free later
// (PRSS keys per (n-t)-subset when the session runs with PRSS, as MPyC: the lowest
// member of a subset draws its key and sends it to the other members; and one key
// per pair of parties for GRR's pseudo-random sub-shares).
//
// Key hygiene: every copy of a key made here — drawn keys, received payloads, the
// PRSS key map — is wiped (sodium_memzero) as soon as its owner (Core, Prss) has
// derived what it keeps. Keys go out with Network::send_secret: a stream link
// wipes the payload (and TLS's plaintext copy) once written; the in-memory
// transport hands that same buffer to the receiver, who wipes it.
#include <meshmpc/runtime/core.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

namespace meshmpc::protocols {

namespace detail {

inline net::Payload to_payload(std::span<const std::byte> bytes) { return {bytes.begin(), bytes.end()}; }

// Copies a received key into its final place (no temporary copy) and wipes the
// payload, whether the size was right or not.
inline void read_key(net::Payload& p, std::size_t from, Prg::Key& out) {
  const WipeOnExit wipe_payload(p);
  if (p.size() != Prg::kKeyBytes)
    throw ProtocolError("party " + std::to_string(from) + " sent a key of " + std::to_string(p.size()) +
                        " bytes, expected " + std::to_string(Prg::kKeyBytes));
  std::memcpy(out.data(), p.data(), out.size());
}

// Wipes a key map however the set-up ends (moved-from maps are empty).
struct KeyMapWipe {
  std::map<Subset, Prg::Key>& keys;
  ~KeyMapWipe() {
    for (auto& entry : keys) wipe(entry.second);
  }
};

}  // namespace detail

template <FiniteField F>
std::string session_digest(const Core<F>& c) {
  return "n=" + std::to_string(c.n()) + " t=" + std::to_string(c.t()) + " field=" + c.field().name() +
         " mul=" + to_string(c.options().mul) + " randomness=" + to_string(c.randomness()) +
         " k=" + std::to_string(c.options().sec_param) +
         " truncation=" + to_string(c.options().truncation) +
         " slice=" + std::to_string(c.options().comparison_slice);
}

template <FiniteField F>
boost::asio::awaitable<void> setup(Core<F>& c, Scope scope) {
  const std::size_t n = c.n(), me = c.self();
  net::Network& net = c.network();

  // 1. Every party states its parameters; any difference is a configuration error.
  const auto params = scope.next_label();
  const std::string mine = session_digest(c);
  const auto mine_bytes = std::as_bytes(std::span(mine));
  for (std::size_t j = 0; j < n; ++j)
    if (j != me) net.send(j, params, detail::to_payload(mine_bytes));
  for (std::size_t j = 0; j < n; ++j) {
    if (j == me) continue;
    const auto theirs = co_await net.receive(j, params);
    const std::string s(reinterpret_cast<const char*>(theirs.data()), theirs.size());
    if (s != mine)
      throw ConfigError("party " + std::to_string(j) + " runs with '" + s + "' but party " + std::to_string(me) +
                        " runs with '" + mine + "'");
  }

  // 2. Pairwise keys: the lower id of a pair draws.
  const auto pairs = scope.next_label();
  {
    Prg::Key key{};
    const WipeOnExit wipe_key(key);
    for (std::size_t j = me + 1; j < n; ++j) {
      Prg::random_key(key);
      net.send_secret(j, pairs, detail::to_payload(key));
      c.set_pair_key(j, key);
    }
    for (std::size_t j = 0; j < me; ++j) {
      net::Payload payload = co_await net.receive(j, pairs);
      detail::read_key(payload, j, key);
      c.set_pair_key(j, key);
    }
  }

  // 3. PRSS keys, one label per subset in the enumeration order every party shares.
  if (c.randomness() != Randomness::prss) co_return;
  std::map<Subset, Prg::Key> keys;
  const detail::KeyMapWipe wipe_keys{keys};
  for (const Subset& a : prss_subsets(n, c.t())) {
    const auto label = scope.next_label();
    if (!std::binary_search(a.begin(), a.end(), me)) continue;
    const std::size_t dealer = a.front();  // subsets are sorted: the lowest member deals
    Prg::Key& key = keys[a];
    if (dealer == me) {
      Prg::random_key(key);
      for (std::size_t j = 0; j < n; ++j)
        if (j != me && std::binary_search(a.begin(), a.end(), j)) net.send_secret(j, label, detail::to_payload(key));
    } else {
      net::Payload payload = co_await net.receive(dealer, label);
      detail::read_key(payload, dealer, key);
    }
  }
  c.set_prss(Prss<F>(c.field(), n, c.t(), me, std::move(keys)));
}

}  // namespace meshmpc::protocols
