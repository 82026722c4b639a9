// The two rounds after the roster: round 1 carries each party's signature (with
// its field digests, for messages) and, with a code, its CPace messages; round 2
// the code check's confirmations. The rendezvous only forwards them.
#include "agreement.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <optional>

#include <meshmpc/error.hpp>
#include <meshmpc/hex.hpp>
#include <meshmpc/rendezvous/code_check.hpp>
#include <meshmpc/rendezvous/messages.hpp>
#include <meshmpc/rendezvous/wire.hpp>

namespace meshmpc::rendezvous::detail {

namespace {

namespace json = boost::json;

// A signature (Ed25519: 64 bytes; ECDSA P-256 DER: at most 72) is far below this.
constexpr std::size_t kMaxSignatureBytes = 512;

// nullopt unless `text` is hex of at most `max` bytes.
std::optional<std::vector<std::byte>> unhex(std::string_view text, std::size_t max) {
  if (text.size() % 2 != 0 || text.size() / 2 > max) return std::nullopt;
  std::vector<std::byte> bytes(text.size() / 2);
  std::size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(), text.size(), nullptr,
                     &length, nullptr) != 0 ||
      length != bytes.size()) {
    return std::nullopt;
  }
  return bytes;
}

template <std::size_t N>
std::optional<std::array<std::byte, N>> unhex_fixed(const json::value* value) {
  if (!value || !value->is_string()) return std::nullopt;
  const auto bytes = unhex(value->as_string(), N);
  if (!bytes || bytes->size() != N) return std::nullopt;
  std::array<std::byte, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// What a party posts in round 1.
struct Signed {
  std::vector<std::byte> signature;
  std::array<std::byte, 8> header{};
  std::vector<FieldDigests> digests;
  std::optional<std::vector<std::byte>> code;  // its CPace round-1 blob
};

std::string encode(const Signed& s) {
  json::object o;
  o["signature"] = to_hex(s.signature);
  o["header"] = to_hex(s.header);
  json::array digests;
  for (const FieldDigests& entry : s.digests) {
    std::vector<std::byte> flat;
    for (const auto& field : entry) flat.insert(flat.end(), field.begin(), field.end());
    digests.emplace_back(to_hex(flat));
  }
  o["digests"] = std::move(digests);
  if (s.code) o["code"] = to_hex(*s.code);
  return json::serialize(o);
}

// Throws ProtocolError naming the fault; `n` bounds the digests and the code blob.
Signed decode_signed(std::string_view text, std::size_t n) {
  boost::system::error_code error;
  const json::value value = json::parse(text, error);
  if (error || !value.is_object()) throw ProtocolError("its signed message is not a JSON object");
  const json::object& o = value.as_object();
  Signed s;
  const json::value* signature = o.if_contains("signature");
  auto bytes = signature && signature->is_string() ? unhex(signature->as_string(), kMaxSignatureBytes) : std::nullopt;
  if (!bytes || bytes->empty()) throw ProtocolError("its signature is missing or not hex of at most 512 bytes");
  s.signature = std::move(*bytes);
  const auto header = unhex_fixed<8>(o.if_contains("header"));
  if (!header) throw ProtocolError("its header digest is missing or not 8 bytes of hex");
  s.header = *header;
  const json::value* digests = o.if_contains("digests");
  if (!digests || !digests->is_array() || digests->as_array().size() != n) {
    throw ProtocolError("its field digests are missing or not one per party");
  }
  for (const json::value& entry : digests->as_array()) {
    const auto flat = unhex_fixed<8 * kRosterFields.size()>(&entry);
    if (!flat) throw ProtocolError("a field digest is not 32 bytes of hex");
    FieldDigests fields{};
    for (std::size_t f = 0; f < fields.size(); ++f) std::copy_n(flat->begin() + 8 * f, 8, fields[f].begin());
    s.digests.push_back(fields);
  }
  if (const json::value* code = o.if_contains("code")) {
    auto blob = code->is_string() ? unhex(code->as_string(), code_check_blob_bytes(n)) : std::nullopt;
    if (!blob) throw ProtocolError("its code check message is not hex of at most " +
                                   std::to_string(code_check_blob_bytes(n)) + " bytes");
    s.code = std::move(*blob);
  }
  return s;
}

std::string who(const RosterDocument& roster, std::size_t party) {
  return "party " + std::to_string(party) + " ('" + roster.parties[party].name + "', " +
         net::tls::format_fingerprint(roster.parties[party].fingerprint) + ")";
}

// Every party's post of `round`, in roster order.
boost::asio::awaitable<std::vector<std::string>> exchange(const Joined& joined, std::size_t round, std::string data,
                                                         std::chrono::steady_clock::time_point deadline,
                                                         const std::string& where) {
  Post post;
  post.round = round;
  post.data = std::move(data);
  co_await write_message(*joined.control, encode(post), deadline);
  for (;;) {
    const json::object message = co_await read_message(*joined.control, deadline, where, kMaxServerMessageBytes);
    const std::string type = message_type(message);
    if (type == "error") throw PeerError(where + ": " + decode_error(message).message);
    if (type != "round") throw ProtocolError(where + " sent a '" + type + "' message where round " +
                                             std::to_string(round) + " belongs");
    Round answer = decode_round(message);
    if (answer.round != round || answer.data.size() != joined.roster.parties.size()) {
      throw ProtocolError(where + " sent round " + std::to_string(answer.round) + " with " +
                          std::to_string(answer.data.size()) + " posts where round " + std::to_string(round) +
                          " with " + std::to_string(joined.roster.parties.size()) + " belongs");
    }
    co_return std::move(answer.data);
  }
}

std::string joined_list(const std::vector<std::string>& faults) {
  std::string text;
  for (const std::string& fault : faults) text += (text.empty() ? "" : "; ") + fault;
  return text;
}

}  // namespace

boost::asio::awaitable<void> agree(const Joined& joined, const JoinOptions& options,
                                   std::chrono::steady_clock::time_point deadline, std::string where) {
  const RosterDocument& roster = joined.roster;
  const std::size_t n = roster.parties.size();
  std::vector<net::tls::Fingerprint> fingerprints;
  for (const RosterEntry& entry : roster.parties) fingerprints.push_back(entry.fingerprint);
  std::optional<CodeCheck> check;
  if (options.code) check.emplace(*options.code, joined.hash, fingerprints, joined.self);

  Signed ours{sign_roster(joined.hash, options.key_pem), header_digest(roster), field_digests(roster), std::nullopt};
  if (check) ours.code = check->first_message();
  const auto posts = co_await exchange(joined, 1, encode(ours), deadline, where);

  std::vector<std::string> faults;
  std::vector<std::vector<std::byte>> first(n);
  for (std::size_t j = 0; j < n; ++j) {
    if (j == joined.self) continue;
    Signed theirs;
    try {
      theirs = decode_signed(posts[j], n);
    } catch (const ProtocolError& e) {
      faults.push_back(who(roster, j) + ": " + e.what());
      continue;
    }
    if (!verify_roster(joined.hash, theirs.signature, roster.parties[j].certificate_pem)) {
      const std::string difference = describe_difference(roster, theirs.header, theirs.digests);
      faults.push_back(difference.empty()
                           ? who(roster, j) + "'s signature does not verify with its key (forged, or not its key)"
                           : who(roster, j) + " signed a different roster: it differs from ours in " + difference);
      continue;
    }
    if (theirs.code && !check) faults.push_back(who(roster, j) + " uses a session code, and we were given none (--code)");
    if (!theirs.code && check) faults.push_back(who(roster, j) + " uses no session code, and we were given one");
    if (theirs.code) first[j] = std::move(*theirs.code);
  }
  if (!faults.empty()) {
    throw PeerError(where + ": session '" + roster.session + "' refused, the roster is not agreed: " +
                    joined_list(faults));
  }
  if (!check) co_return;

  const std::vector<std::byte> confirmation = check->second_message(first);
  const auto confirmations = co_await exchange(joined, 2, to_hex(confirmation), deadline, where);
  std::vector<std::vector<std::byte>> second(n);
  for (std::size_t j = 0; j < n; ++j) {
    if (j == joined.self) continue;
    auto blob = unhex(confirmations[j], code_check_blob_bytes(n));
    if (!blob) throw CodeCheckError(where + ": " + who(roster, j) + "'s code confirmation is not hex of at most " +
                                        std::to_string(code_check_blob_bytes(n)) + " bytes", {j});
    second[j] = std::move(*blob);
  }
  try {
    check->check(second);
  } catch (const CodeCheckError& e) {
    throw CodeCheckError(where + ": session '" + roster.session + "' refused: " + e.what(), e.parties());
  }
}

}  // namespace meshmpc::rendezvous::detail
