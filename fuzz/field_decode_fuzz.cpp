// Field elements as a peer sends them (Core::receive in runtime/core.hpp: the
// wire form, Field::from_wire) and as encode writes them: the first input byte
// picks a shipped field, the rest is the payload. Decoding throws RangeError
// (which the runtime turns into a ProtocolError naming the party) or yields
// elements whose encoding is the payload: both forms are canonical, so a value
// that decodes has exactly one byte string. Reading in place (view_wire) agrees.
#include <algorithm>
#include <vector>

#include <meshmpc/error.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/field/ntl_field.hpp>
#include <meshmpc/field/ntl_gf2e.hpp>
#include <meshmpc/field/ntl_zzpe.hpp>

#include "fuzz_input.hpp"

namespace {

template <class F>
void decode_round_trip(const F& field, std::span<const std::byte> payload, bool wire) {
  using namespace meshmpc;
  const std::size_t w = field.byte_size();
  // As the runtime does: the count follows from the length it expects; a payload
  // of another length is refused by the decoding itself.
  std::vector<typename F::Element> out(payload.size() / w + (payload.size() % w != 0 ? 1 : 0));
  try {
    if (wire) field.from_wire(payload, out);
    else field.decode(payload, out);
  } catch (const RangeError&) {
    return;
  }
  std::vector<std::byte> again(payload.size());
  if (wire) field.to_wire(out, again);
  else field.encode(out, again);
  fuzz::require(std::ranges::equal(again, payload), wire ? "to_wire(from_wire(b)) == b" : "encode(decode(b)) == b");
}

// The in-place reading (Core::receive_view, Field::view_wire) accepts exactly what
// from_wire accepts and reads the same elements, where the field has it at all.
template <class F>
void view_agrees(const F& field, std::span<const std::byte> payload) {
  using namespace meshmpc;
  const std::size_t w = field.byte_size();
  const std::size_t count = payload.size() / w + (payload.size() % w != 0 ? 1 : 0);
  const std::vector<std::byte> received(payload.begin(), payload.end());  // from operator new, as a payload is
  std::vector<typename F::Element> decoded(count);
  bool decodes = true;
  try {
    field.from_wire(payload, decoded);
  } catch (const RangeError&) {
    decodes = false;
  }
  try {
    const auto view = field.view_wire(received, count);
    if (!view) return;  // not this field's form: the runtime decodes a copy
    fuzz::require(decodes, "view_wire accepts only what from_wire accepts");
    fuzz::require(std::ranges::equal(*view, decoded), "view_wire reads what from_wire decodes");
  } catch (const RangeError&) {
    fuzz::require(!decodes, "view_wire refuses only what from_wire refuses");
  }
}

template <class F>
void decode_round_trips(const F& field, std::span<const std::byte> payload) {
  decode_round_trip(field, payload, true);
  decode_round_trip(field, payload, false);
  view_agrees(field, payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meshmpc;
  if (size == 0) return 0;
  const auto payload = fuzz::bytes_of(data, size).subspan(1);
  // Constructed once: NTL's moduli are costly to set up.
  static const Fp64 fp64;                        // 2^64 - 59, the default
  static const Fp64 fp64_small(65521);           // 2 bytes per element, unused high bits
  static const Fp64 fp64_61((1ULL << 61) - 1);   // 8 bytes, 3 bits over the modulus
  static const Fp127 fp127;
  static const NtlField ntl("170141183460469231731687303715884105727");  // 2^127 - 1 through NTL
  static const NtlGF2E gf256(8);
  static const NtlGF2E gf2_61(61);
  static const NtlZZpE zzpe(65521, 3);
  switch (data[0] % 8) {
    case 0: decode_round_trips(fp64, payload); break;
    case 1: decode_round_trips(fp64_small, payload); break;
    case 2: decode_round_trips(fp64_61, payload); break;
    case 3: decode_round_trips(fp127, payload); break;
    case 4: decode_round_trips(ntl, payload); break;
    case 5: decode_round_trips(gf256, payload); break;
    case 6: decode_round_trips(gf2_61, payload); break;
    default: decode_round_trips(zzpe, payload); break;
  }
  return 0;
}
