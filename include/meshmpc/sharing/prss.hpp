#pragma once
// PRSS: pseudo-random secret sharing without interaction (Cramer, Damgard, Ishai,
// "Share conversion, pseudorandom secret-sharing and applications to secure
// computation", TCC 2005). See docs/protocols.md.
//
// For every subset A of {0..n-1} with |A| = n - t (subsets.hpp: sorted vectors,
// lexicographic order) the members of A share a key K_A. f_A is the polynomial of
// degree <= t with f_A(0) = 1 and f_A(j + 1) = 0 for every party j not in A. Party
// i's share of the random value r = sum_A PRF(K_A, c) is
//   s_i = sum_{A containing i} PRF(K_A, c) * f_A(i + 1),
// a degree-t sharing; any t parties miss some key, so r is unknown to them.
//
// The PRF is Prg(K_A,kind, counter): ChaCha20-IETF under a subkey per kind of draw,
// K_A,kind = Prg::derive_key(K_A, context of the kind) — "prss-rnd", "prss-zro",
// "prss-int", "prss-drn", "prss-dzr", "prss-bit" — derived once when the object is
// built, with the 64-bit counter as the nonce's position. Different kinds use
// different keys, so no two calls with different (method, counter) ever read the
// same keystream, and the counter is used as it is (no bits of it are given up to
// tag the kind). Within a stream, elements are drawn in batch order (rejection
// sampling, field.random). Every party must call the same method with the same
// counter and batch size to get shares of the same values; a counter must be used
// only once per method.
#include <meshmpc/error.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/prime_field.hpp>
#include <meshmpc/sharing/lagrange.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/subsets.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace meshmpc {

template <FiniteField F>
class Prss {
 public:
  using Element = typename F::Element;

  // Kinds of draw, each with its own subkey of every K_A.
  enum class Kind : std::size_t { kRandom = 0, kZero = 1, kInteger = 2, kDoubleRandom = 3, kDoubleZero = 4, kBits = 5 };
  static constexpr std::size_t kKinds = 6;

  // K_A,kind: the subkey a kind of draw reads its streams from, into `out`. The
  // context says what each is for.
  static void kind_key(const Prg::Key& subset_key, Kind kind, Prg::Key& out) {
    static constexpr KdfContext kContexts[kKinds] = {
        "prss-rnd",  // random_shares: degree-t shares of random values
        "prss-zro",  // zero_shares: degree-2t shares of zero (PRZS)
        "prss-int",  // random_int_shares: shares of bounded random integers
        "prss-drn",  // double_random_shares: the random r of a double sharing
        "prss-dzr",  // double_random_shares: the zero sharing added at degree 2t
        "prss-bit",  // bit_shares / bits: one pseudo-random bit per key
    };
    Prg::derive_key(subset_key, kContexts[static_cast<std::size_t>(kind)], out);
  }
  // The same as a value (for tests and tools that rebuild a PRF).
  static Prg::Key kind_key(const Prg::Key& subset_key, Kind kind) {
    Prg::Key out;
    kind_key(subset_key, kind, out);
    return out;
  }

  // PRF outputs are drawn and combined in blocks of this many elements.
  static constexpr std::size_t kBlock = 256;

  // Party `self` of n with threshold t; `keys` holds K_A for exactly the subsets A
  // that contain self (prss_key_roles(n, t, self)). Only the subkeys per kind
  // (kind_key) are kept in this object (wiped on destruction); the map's own keys
  // are wiped however the constructor ends. Keeps a copy
  // of `field`. ConfigError if t >= n, n >= p, C(n,t) > kMaxPrssSubsets, a key is
  // missing or a key is given for a subset self is not in; RangeError if self >= n.
  // Zero sharings have degree 2t: they can be opened only when 2t < n.
  Prss(const F& field, std::size_t n, std::size_t t, std::size_t self, std::map<Subset, Prg::Key> keys)
      : field_(field), n_(n), t_(t), self_(self) {
    const KeyMapWiper wiper{keys};
    const auto roles = prss_key_roles(n, t, self);
    members_.reserve(roles.size());
    const auto points = party_points(field_, n, "PRSS over " + field_.name());
    const Element x = points[self];
    // self^j for the zero sharing, j = 1..t.
    std::vector<Element> powers(t);
    Element p = field_.one();
    for (std::size_t j = 0; j < t; ++j) powers[j] = p = field_.mul(p, x);
    for (const auto& role : roles) {
      const auto it = keys.find(role.subset);
      if (it == keys.end())
        throw ConfigError("PRSS party " + std::to_string(self) + ": no key for subset " + to_string(role.subset) +
                          " (dealt by party " + std::to_string(role.dealer) + ")");
      // f_A(x) = prod_{j not in A} (j + 1 - x) / (j + 1): degree t, f_A(0) = 1.
      Element num = field_.one(), den = field_.one();
      for (std::size_t j = 0; j < n; ++j) {
        if (std::binary_search(role.subset.begin(), role.subset.end(), j)) continue;
        num = field_.mul(num, field_.sub(points[j], x));
        den = field_.mul(den, points[j]);
      }
      Member member(role.subset, field_.mul(num, field_.inv(den)));
      for (std::size_t k = 0; k < kKinds; ++k) kind_key(it->second, static_cast<Kind>(k), member.keys[k]);
      member.zero_weights.resize(t);
      for (std::size_t j = 0; j < t; ++j) member.zero_weights[j] = field_.mul(member.weight, powers[j]);
      members_.push_back(std::move(member));
    }
    if (keys.size() != roles.size()) {
      for (auto& [subset, key] : keys) {
        const bool known = std::any_of(roles.begin(), roles.end(), [&](const auto& r) { return r.subset == subset; });
        if (!known)
          throw ConfigError("PRSS party " + std::to_string(self) + ": a key was given for subset " +
                            to_string(subset) + ", which is not an (n-t)-subset containing party " +
                            std::to_string(self) + " (n = " + std::to_string(n) + ", t = " + std::to_string(t) + ")");
      }
    }
  }
  // Move-only: keys are not duplicated behind the caller's back (each Member
  // wipes its keys when destroyed).
  Prss(const Prss&) = delete;
  Prss& operator=(const Prss&) = delete;
  Prss(Prss&&) noexcept = default;
  Prss& operator=(Prss&&) noexcept = default;
  ~Prss() = default;

  const F& field() const { return field_; }
  std::size_t n() const { return n_; }
  std::size_t t() const { return t_; }
  std::size_t self() const { return self_; }
  // The subsets this party holds keys for, in prss_subsets order.
  std::vector<Subset> subsets() const {
    std::vector<Subset> out;
    for (const auto& m : members_) out.push_back(m.subset);
    return out;
  }

  // out: this party's degree-t shares of out.size() random values.
  void random_shares(std::uint64_t counter, std::span<Element> out) const {
    random_into(Kind::kRandom, counter, out);
  }

  // out: this party's degree-2t shares of zero (PRZS):
  //   s_i = sum_{A containing i} f_A(i + 1) * sum_{j=1..t} PRF_j(K_A, c) * (i + 1)^j,
  // the t PRF values per element drawn consecutively (j = 1..t) in batch order.
  void zero_shares(std::uint64_t counter, std::span<Element> out) const {
    zero_into(Kind::kZero, counter, out, false);
  }

  // out: degree-t shares of random integers r in [0, C(n,t) * 2^bits): each PRF
  // output is an integer below 2^bits drawn from ceil(bits/64) words (lowest limb
  // first, the top limb masked). RangeError unless 1 <= bits and C(n,t) * 2^bits
  // stays below p/2 (bit_width(C(n,t)) + bits < bit_length of the field), so that
  // r does not wrap and is not a centered negative.
  void random_int_shares(std::uint64_t counter, std::size_t bits, std::span<Element> out) const {
    const std::size_t count_bits = static_cast<std::size_t>(std::bit_width(binomial(n_, t_)));
    if (bits < 1 || count_bits + bits >= field_.bit_length())
      throw RangeError("PRSS random_int_shares: " + std::to_string(bits) + "-bit integers summed over C(" +
                       std::to_string(n_) + "," + std::to_string(t_) + ") keys do not fit below half of " +
                       field_.name() + " (need 1 <= bits <= " +
                       std::to_string(field_.bit_length() > count_bits + 1 ? field_.bit_length() - count_bits - 1 : 0) +
                       ")");
    const std::size_t limbs = (bits + 63) / 64;
    const std::size_t top_bits = bits - 64 * (limbs - 1);
    const std::uint64_t top_mask = top_bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << top_bits) - 1;
    // 2^64 as an element, only needed (and only representable) when bits > 64.
    const Element two64 = limbs > 1 ? field_.mul(field_.from_uint(std::uint64_t{1} << 32),
                                                 field_.from_uint(std::uint64_t{1} << 32))
                                    : field_.zero();
    std::fill(out.begin(), out.end(), field_.zero());
    std::vector<std::uint64_t> words(limbs);
    for (const auto& m : members_) {
      Prg prf(m.key(Kind::kInteger), counter);
      for (auto& y : out) {
        for (auto& w : words) w = prf.next_word();
        words.back() &= top_mask;
        Element v = field_.from_uint(words.back());
        for (std::size_t l = limbs - 1; l-- > 0;) v = field_.add(field_.mul(v, two64), field_.from_uint(words[l]));
        y = field_.add(y, field_.mul(m.weight, v));
      }
    }
    std::fill(words.begin(), words.end(), 0);
  }

  // Shares of pseudo-random bits, one per key: out[a] (a indexing prss_subsets(n, t),
  // count elements each) is this party's degree-t sharing of the bits b_A =
  // PRF(K_A, c) & 1: f_A(self + 1) * b_A, or zero when self does not hold K_A.
  // Every t parties miss exactly one key, so the XOR of all C(n,t) bits is a
  // uniformly random bit none of them knows; computing that XOR takes C(n,t) - 1
  // products (protocols::random_bits), which beats the square trick when C(n,t)
  // is small (no square root per bit).
  std::vector<std::vector<Element>> bit_shares(std::uint64_t counter, std::size_t count) const {
    const auto all = prss_subsets(n_, t_);
    std::vector<std::vector<Element>> out(all.size(), std::vector<Element>(count, field_.zero()));
    for (const auto& m : members_) {
      const std::size_t a = static_cast<std::size_t>(std::lower_bound(all.begin(), all.end(), m.subset) - all.begin());
      Prg prf(m.key(Kind::kBits), counter);
      for (std::size_t begin = 0; begin < count; begin += 64) {
        const std::uint64_t word = prf.next_word();
        const std::size_t len = std::min<std::size_t>(64, count - begin);
        for (std::size_t s = 0; s < len; ++s)
          if ((word >> s) & 1U) out[a][begin + s] = m.weight;
      }
    }
    return out;
  }

  // One vector of bit_shares(counter, count), picking for element j the key
  // key_cycle[j mod key_cycle.size()] (an index into prss_subsets(n, t)):
  // bit_shares(counter, count)[key_cycle[j mod c]][j]. What a protocol that needs
  // one key's bit per element uses, without the other C(n,t) - 1 vectors.
  std::vector<Element> bit_shares_cyclic(std::uint64_t counter, std::size_t count,
                                         std::span<const std::size_t> key_cycle) const {
    if (key_cycle.empty()) throw RangeError("PRSS bit_shares_cyclic: an empty key cycle");
    const auto all = prss_subsets(n_, t_);
    std::vector<Element> out(count, field_.zero());
    const std::size_t period = key_cycle.size();
    for (const auto& m : members_) {
      const std::size_t a = static_cast<std::size_t>(std::lower_bound(all.begin(), all.end(), m.subset) - all.begin());
      if (std::find(key_cycle.begin(), key_cycle.end(), a) == key_cycle.end()) continue;
      Prg prf(m.key(Kind::kBits), counter);
      for (std::size_t begin = 0; begin < count; begin += 64) {
        const std::uint64_t word = prf.next_word();
        const std::size_t len = std::min<std::size_t>(64, count - begin);
        for (std::size_t s = 0; s < len; ++s)
          if (key_cycle[(begin + s) % period] == a && ((word >> s) & 1U)) out[begin + s] = m.weight;
      }
    }
    return out;
  }

  // The bits b_A of bit_shares(counter, count) in the clear, for the keys this
  // party holds: out[m] for subsets()[m].
  std::vector<std::vector<std::uint8_t>> bits(std::uint64_t counter, std::size_t count) const {
    std::vector<std::vector<std::uint8_t>> out(members_.size(), std::vector<std::uint8_t>(count, 0));
    for (std::size_t k = 0; k < members_.size(); ++k) {
      Prg prf(members_[k].key(Kind::kBits), counter);
      for (std::size_t begin = 0; begin < count; begin += 64) {
        const std::uint64_t word = prf.next_word();
        const std::size_t len = std::min<std::size_t>(64, count - begin);
        for (std::size_t s = 0; s < len; ++s) out[k][begin + s] = static_cast<std::uint8_t>((word >> s) & 1U);
      }
    }
    return out;
  }

  // The XOR of bits(counter, count) over this party's keys, packed: bit j is bit
  // j mod 64 of word j / 64. One word per 64 bits and key, where bits() spends a
  // byte per bit and key.
  std::vector<std::uint64_t> xor_of_bits(std::uint64_t counter, std::size_t count) const {
    std::vector<std::uint64_t> out((count + 63) / 64, 0);
    for (const auto& m : members_) {
      Prg prf(m.key(Kind::kBits), counter);
      for (auto& w : out) w ^= prf.next_word();
    }
    if (count % 64 != 0) out.back() &= (std::uint64_t{1} << (count % 64)) - 1;
    return out;
  }

  // out_t and out_2t: shares of the same random r, of degree t and of degree 2t
  // ([r]_2t = [r]_t + PRZS), for degree reduction by double sharings (DN07).
  // Uses its own streams: it never yields the r of random_shares(counter).
  void double_random_shares(std::uint64_t counter, std::span<Element> out_t, std::span<Element> out_2t) const {
    if (out_t.size() != out_2t.size())
      throw RangeError("PRSS double_random_shares: degree-t output holds " + std::to_string(out_t.size()) +
                       " elements, degree-2t output " + std::to_string(out_2t.size()));
    random_into(Kind::kDoubleRandom, counter, out_t);
    std::copy(out_t.begin(), out_t.end(), out_2t.begin());
    zero_into(Kind::kDoubleZero, counter, out_2t, true);
  }

 private:
  struct Member {
    Subset subset;
    std::array<Prg::Key, kKinds> keys{};  // K_A,kind for every kind
    Element weight;                       // f_A(self + 1)
    std::vector<Element> zero_weights;    // f_A(self + 1) * (self + 1)^j, j = 1..t
    Member(Subset a, Element w) : subset(std::move(a)), weight(w) {}
    // Moves copy the key bytes; the moved-from member wipes its copy when destroyed.
    Member(Member&&) noexcept = default;
    Member& operator=(Member&&) noexcept = default;
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;
    ~Member() {
      for (auto& k : keys) wipe(k);
    }
    const Prg::Key& key(Kind kind) const { return keys[static_cast<std::size_t>(kind)]; }
  };

  // Wipes the caller's key map however the constructor ends.
  struct KeyMapWiper {
    std::map<Subset, Prg::Key>& keys;
    ~KeyMapWiper() {
      for (auto& entry : keys) wipe(entry.second);
    }
  };

  void random_into(Kind kind, std::uint64_t counter, std::span<Element> out) const {
    std::fill(out.begin(), out.end(), field_.zero());
    std::vector<Element> r(std::min(kBlock, out.size()));
    for (const auto& m : members_) {
      Prg prf(m.key(kind), counter);
      for (std::size_t begin = 0; begin < out.size(); begin += kBlock) {
        const std::size_t len = std::min(kBlock, out.size() - begin);
        field_.random(std::span<Element>(r.data(), len), prf);
        Element* y = out.data() + begin;
        for (std::size_t s = 0; s < len; ++s) y[s] = field_.add(y[s], field_.mul(m.weight, r[s]));
      }
    }
  }

  // Adds (accumulate) or writes this party's PRZS shares into out.
  void zero_into(Kind kind, std::uint64_t counter, std::span<Element> out, bool accumulate) const {
    if (!accumulate) std::fill(out.begin(), out.end(), field_.zero());
    if (t_ == 0) return;
    std::vector<Element> r(std::min(kBlock, out.size()) * t_);
    for (const auto& m : members_) {
      Prg prf(m.key(kind), counter);
      for (std::size_t begin = 0; begin < out.size(); begin += kBlock) {
        const std::size_t len = std::min(kBlock, out.size() - begin);
        field_.random(std::span<Element>(r.data(), len * t_), prf);
        Element* y = out.data() + begin;
        for (std::size_t s = 0; s < len; ++s) {
          const Element* rs = r.data() + s * t_;
          Element acc = field_.mul(m.zero_weights[0], rs[0]);
          for (std::size_t j = 1; j < t_; ++j) acc = field_.add(acc, field_.mul(m.zero_weights[j], rs[j]));
          y[s] = field_.add(y[s], acc);
        }
      }
    }
  }

  F field_;
  std::size_t n_;
  std::size_t t_;
  std::size_t self_;
  std::vector<Member> members_;
};

extern template class Prss<Fp64>;
extern template class Prss<Fp127>;

}  // namespace meshmpc
