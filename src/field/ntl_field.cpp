#include <meshmpc/field/ntl_field.hpp>

#include <array>
#include <climits>
#include <sstream>

namespace meshmpc {

namespace {

static_assert(sizeof(long) == sizeof(std::int64_t), "NTL's long conversions are used for int64");

// Miller-Rabin rounds after NTL's trial division: error below 4^-20 for any input.
constexpr long kPrimalityTrials = 20;

std::string zz_to_string(const NTL::ZZ& v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

NTL::ZZ zz_from_u64(std::uint64_t v) {
  NTL::ZZ z;
  NTL::conv(z, static_cast<unsigned long>(v));
  return z;
}

NTL::ZZ parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 100000)
    throw ConfigError("NtlField: modulus '" + std::string(text.substr(0, 64)) +
                      "' is not a decimal integer");
  for (const char c : text) {
    if (c < '0' || c > '9')
      throw ConfigError("NtlField: modulus '" + std::string(text) + "' is not a decimal integer");
  }
  // Chunks of 18 digits: ten multiplications of a big number for each chunk.
  NTL::ZZ v;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = std::min<std::size_t>(18, text.size() - i);
    long chunk = 0;
    long scale = 1;
    for (std::size_t j = 0; j < n; ++j) {
      chunk = chunk * 10 + (text[i + j] - '0');
      scale *= 10;
    }
    v = v * scale + chunk;
    i += n;
  }
  return v;
}

}  // namespace

NtlFieldCore::NtlFieldCore(const NTL::ZZ& p) : p_(p) {
  if (p_ < 3 || !NTL::IsOdd(p_) || NTL::ProbPrime(p_, kPrimalityTrials) == 0)
    throw ConfigError("NtlField: modulus " + zz_to_string(p_) + " is not an odd prime");
  half_ = (p_ - 1) / 2;
  context_ = NTL::ZZ_pContext(p_);
  {
    const NTL::ZZ_pPush push(context_);
    info_ = NTL::ZZ_pInfo;
  }
  bits_ = static_cast<std::size_t>(NTL::NumBits(p_));
  bytes_ = (bits_ + 7) / 8;
  word_count_ = (bits_ + 63) / 64;
  name_ = "GF(" + zz_to_string(p_) + ")";
}

NtlFieldCore::NtlFieldCore(std::string_view p_decimal) : NtlFieldCore(parse_decimal(p_decimal)) {}

std::optional<NtlFieldCore::Element> NtlFieldCore::sqrt(const Element& a) const {
  if (is_zero(a)) return a;
  // NTL's SqrRootMod is undefined on non-residues: decide with the Jacobi symbol first.
  if (NTL::Jacobi(NTL::rep(a), p_) != 1) return std::nullopt;
  const auto g = enter();
  NTL::ZZ r;
  NTL::SqrRootMod(r, NTL::rep(a), p_);
  Element out;
  NTL::conv(out, r);
  return out;
}

void NtlFieldCore::add(std::span<Element> out, std::span<const Element> x,
                       std::span<const Element> y) const {
  const auto g = enter();
  for (std::size_t i = 0; i < out.size(); ++i) NTL::add(out[i], x[i], y[i]);
}

void NtlFieldCore::sub(std::span<Element> out, std::span<const Element> x,
                       std::span<const Element> y) const {
  const auto g = enter();
  for (std::size_t i = 0; i < out.size(); ++i) NTL::sub(out[i], x[i], y[i]);
}

void NtlFieldCore::mul(std::span<Element> out, std::span<const Element> x,
                       std::span<const Element> y) const {
  const auto g = enter();
  for (std::size_t i = 0; i < out.size(); ++i) NTL::mul(out[i], x[i], y[i]);
}

void NtlFieldCore::neg(std::span<Element> out, std::span<const Element> x) const {
  const auto g = enter();
  for (std::size_t i = 0; i < out.size(); ++i) NTL::negate(out[i], x[i]);
}

void NtlFieldCore::scale(std::span<Element> out, const Element& a, std::span<const Element> x) const {
  const auto g = enter();
  // a may live in out (f.scale(v, v[0], v)): keep a copy.
  const Element factor = a;
  for (std::size_t i = 0; i < out.size(); ++i) NTL::mul(out[i], factor, x[i]);
}

void NtlFieldCore::axpy(std::span<Element> out, const Element& a, std::span<const Element> x) const {
  const auto g = enter();
  const Element factor = a;
  NTL::ZZ t;
  for (std::size_t i = 0; i < out.size(); ++i) {
    // out + a*x < p + p^2: one reduction instead of a MulMod and an AddMod.
    NTL::mul(t, NTL::rep(factor), NTL::rep(x[i]));
    t += NTL::rep(out[i]);
    NTL::conv(out[i], t);
  }
}

NtlFieldCore::Element NtlFieldCore::inner(std::span<const Element> x,
                                          std::span<const Element> y) const {
  const auto g = enter();
  NTL::ZZ acc;
  NTL::ZZ t;
  for (std::size_t i = 0; i < x.size(); ++i) {
    NTL::mul(t, NTL::rep(x[i]), NTL::rep(y[i]));
    acc += t;
  }
  Element r;
  NTL::conv(r, acc);
  return r;
}

void NtlFieldCore::throw_outside_centered(const std::string& value) const {
  const std::string h = zz_to_string(half_);
  throw RangeError("integer " + value + " is outside the centered range [-" + h + ", " + h +
                   "] of " + name_);
}

NtlFieldCore::Element NtlFieldCore::from_int(std::int64_t v) const {
  // Magnitudes up to 2^63 fit any modulus of 65 bits or more.
  if (bits_ <= 64) {
    const std::uint64_t mag = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    if (zz_from_u64(mag) > half_) throw_outside_centered(std::to_string(v));
  }
  const auto g = enter();
  Element r;
  NTL::conv(r, static_cast<long>(v));
  return r;
}

NtlFieldCore::Element NtlFieldCore::from_zz(const NTL::ZZ& v) const {
  if (NTL::abs(v) > half_) throw_outside_centered(zz_to_string(v));
  const auto g = enter();
  Element r;
  NTL::conv(r, v);
  return r;
}

NtlFieldCore::Element NtlFieldCore::from_uint(std::uint64_t v) const {
  const NTL::ZZ z = zz_from_u64(v);
  if (z >= p_)
    throw RangeError("integer " + std::to_string(v) + " is not below the modulus of " + name_);
  const auto g = enter();
  Element r;
  NTL::conv(r, z);
  return r;
}

NtlFieldCore::Element NtlFieldCore::from_canonical(const NTL::ZZ& v) const {
  if (v < 0 || v >= p_)
    throw RangeError("integer " + zz_to_string(v) + " is not in [0, p) for " + name_);
  Element r;
  r.LoopHole() = v;  // already canonical: no reduction, so no modulus needed
  return r;
}

NTL::ZZ NtlFieldCore::to_zz(const Element& a) const {
  const NTL::ZZ& v = NTL::rep(a);
  return v <= half_ ? v : v - p_;
}

std::int64_t NtlFieldCore::to_int(const Element& a) const {
  const NTL::ZZ v = to_zz(a);
  if (v > NTL::ZZ(LONG_MAX) || v < NTL::ZZ(LONG_MIN))
    throw RangeError("value " + zz_to_string(v) + " of " + name_ + " does not fit a 64-bit integer");
  return NTL::conv<long>(v);
}

std::string NtlFieldCore::to_string(const Element& a) const { return zz_to_string(NTL::rep(a)); }

void NtlFieldCore::encode(const Element& a, std::span<std::byte> out) const {
  if (out.size() != bytes_) detail::throw_byte_length(name_, bytes_, out.size());
  NTL::BytesFromZZ(reinterpret_cast<unsigned char*>(out.data()), NTL::rep(a),
                   static_cast<long>(bytes_));
}

NtlFieldCore::Element NtlFieldCore::decode(std::span<const std::byte> in) const {
  if (in.size() != bytes_) detail::throw_byte_length(name_, bytes_, in.size());
  NTL::ZZ v;
  NTL::ZZFromBytes(v, reinterpret_cast<const unsigned char*>(in.data()), static_cast<long>(bytes_));
  if (v >= p_)
    throw RangeError("decoding " + name_ + ": value " + zz_to_string(v) + " is not below the modulus");
  Element r;
  r.LoopHole() = v;  // already canonical: no reduction, so no modulus needed
  return r;
}

bool NtlFieldCore::from_words(std::span<const std::uint64_t> words, Element& out) const {
  std::vector<unsigned char> bytes(bytes_);
  for (std::size_t i = 0; i < bytes_; ++i)
    bytes[i] = static_cast<unsigned char>(words[i / 8] >> (8 * (i % 8)));
  if (const std::size_t top = bits_ % 8; top != 0)
    bytes[bytes_ - 1] &= static_cast<unsigned char>((1U << top) - 1);
  NTL::ZZ v;
  NTL::ZZFromBytes(v, bytes.data(), static_cast<long>(bytes_));
  if (v >= p_) return false;
  out.LoopHole() = v;
  return true;
}

}  // namespace meshmpc
