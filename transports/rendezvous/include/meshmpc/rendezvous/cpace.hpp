#pragma once
// CPace, the CFRG's balanced PAKE (draft-irtf-cfrg-cpace-21, tag of the same name
// in github.com/cfrg/draft-irtf-cfrg-cpace, whose ristretto255 test vectors
// tests/transports/rendezvous/cpace_test.cpp reproduces), with the cipher suite
// CPACE-RISTR255-SHA512: the group ristretto255 (RFC 9496) and SHA-512, both from
// libsodium. Two parties that share a low-entropy password (PRS) and the public
// inputs CI and sid each send one group element; they end with the same 64-byte
// intermediate session key (ISK) exactly when PRS, CI, sid and the transcript
// agree. An active attacker learns whether one guess of PRS was right per run it
// takes part in; an eavesdropper learns nothing it can test guesses against.
//
// Only the primitive is here (pure functions, no I/O). code_check.hpp runs it
// among the n parties of a rendezvous roster, in the draft's symmetric setting
// (transcript_oc), because the parties broadcast their messages at the same time
// and neither of a pair speaks first; transcript_ir is kept for the draft's
// initiator-responder test vector.
#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace meshmpc::rendezvous::cpace {

inline constexpr std::size_t kPointBytes = 32;   // crypto_core_ristretto255_BYTES
inline constexpr std::size_t kScalarBytes = 32;  // crypto_core_ristretto255_SCALARBYTES
inline constexpr std::size_t kIskBytes = 64;     // SHA-512
// SHA-512's input block size (the draft's H.s_in_bytes): the zero padding of the
// generator string fills the first block, so that its hash does not depend on
// the password's length.
inline constexpr std::size_t kHashBlockBytes = 128;

// G.DSI of G_Ristretto255.
inline constexpr std::string_view kDsi = "CPaceRistretto255";

using Point = std::array<std::byte, kPointBytes>;    // an encoded group element
using Scalar = std::array<std::byte, kScalarBytes>;  // little endian, < the group order
using Isk = std::array<std::byte, kIskBytes>;

// G.I: the encoding of the identity element (32 zero bytes).
inline constexpr Point kIdentity{};

// The draft's string utilities (appendix "CPace function definitions").
// prepend_len: the length as LEB128, then the bytes.
std::vector<std::byte> prepend_len(std::span<const std::byte> data);
// lv_cat(a0, a1, ...) = prepend_len(a0) || prepend_len(a1) || ...
std::vector<std::byte> lv_cat(std::initializer_list<std::span<const std::byte>> parts);
// b"oc" followed by the lexicographically larger string, then the other.
std::vector<std::byte> o_cat(std::span<const std::byte> a, std::span<const std::byte> b);
// lv_cat(Ya, ADa) || lv_cat(Yb, ADb): initiator-responder.
std::vector<std::byte> transcript_ir(std::span<const std::byte> ya, std::span<const std::byte> ada,
                                     std::span<const std::byte> yb, std::span<const std::byte> adb);
// o_cat(lv_cat(Ya, ADa), lv_cat(Yb, ADb)): symmetric, the same on both sides.
std::vector<std::byte> transcript_oc(std::span<const std::byte> ya, std::span<const std::byte> ada,
                                     std::span<const std::byte> yb, std::span<const std::byte> adb);

// lv_cat(DSI, PRS, zero_bytes(len_zpad), CI, sid) with
// len_zpad = max(0, s_in_bytes - 1 - len(prepend_len(PRS)) - len(prepend_len(DSI))).
std::vector<std::byte> generator_string(std::span<const std::byte> dsi, std::span<const std::byte> prs,
                                        std::span<const std::byte> ci, std::span<const std::byte> sid,
                                        std::size_t s_in_bytes);

// G.calculate_generator(H, PRS, CI, sid): SHA-512 of the generator string (64
// bytes) through ristretto255's element derivation (one-way map), encoded.
Point calculate_generator(std::span<const std::byte> prs, std::span<const std::byte> ci,
                          std::span<const std::byte> sid);

// G.sample_scalar(): uniform in [1, group order − 1] (the draft's alternative to
// clearing the top bits; libsodium's crypto_core_ristretto255_scalar_random).
Scalar sample_scalar();

// G.scalar_mult(y, g) for a generator from calculate_generator. Throws Error in the
// (negligible-probability) case that the result is the identity.
Point scalar_mult(const Scalar& y, const Point& g);

// G.scalar_mult_vfy(y, X): encode(y · decode(X)), or kIdentity when X is not the
// canonical encoding of a group element (RFC 9496: bit 255 set included) or the
// product is the identity. Callers MUST abort on kIdentity (derive_isk_* does).
Point scalar_mult_vfy(const Scalar& y, std::span<const std::byte> x);

// H.hash(lv_cat(DSI || "_ISK", sid, K) || transcript).
Isk isk_from_transcript(std::span<const std::byte> sid, const Point& k, std::span<const std::byte> transcript);

// One side's end of a run in the symmetric setting: K = scalar_mult_vfy(y, their
// message), then the ISK over transcript_oc(ours, our AD, theirs, their AD).
// nullopt is the draft's abort (their message is not a group element, or K = G.I).
std::optional<Isk> derive_isk_symmetric(const Scalar& y, std::span<const std::byte> sid,
                                        const Point& our_message, std::span<const std::byte> our_ad,
                                        std::span<const std::byte> their_message,
                                        std::span<const std::byte> their_ad);

}  // namespace meshmpc::rendezvous::cpace
