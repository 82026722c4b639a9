// secretsanta: n parties draw a secret santa assignment — a uniformly random
// derangement p of 0..n-1 (nobody draws themselves) — and party i learns only
// p(i), whom it gives a present to. --reveal opens the whole assignment (as
// MPyC's demo does); --sizes 2..N reproduces MPyC's demo: derangements of every
// size from 2 to N, over secure integers, a prime field and a binary field.
//
//   secretsanta -M 5                                  # five parties on this machine
//   secretsanta -I 1 -P host0:11365 -P host1:11365 -P host2:11365
//   secretsanta -M 3 --sizes 2..8                     # MPyC's demo
#include "common/report.hpp"

#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/session_ntl.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <tuple>

namespace {

namespace po = boost::program_options;
using meshmpc::ConfigError;
using meshmpc::Fp64;
using meshmpc::SecInt;
using meshmpc::Session;
namespace ex = meshmpc::examples;

constexpr std::size_t kBits = 32;
// --sizes goes up to this: a derangement of N costs about N^2 products per try.
constexpr std::size_t kMaxSize = 64;
// The prime field of the demo's second part: GF(2^61 - 1), so that a rejection
// test passes a bad draw with probability 2^-61 only (MPyC's small field would do
// so far more often).
constexpr std::uint64_t kDemoPrime = (std::uint64_t{1} << 61) - 1;

enum class Mode { private_outputs, reveal, sizes };

struct Santa {
  Mode mode;
  std::size_t first = 2, last = 2;  // --sizes first..last
  ex::Report report;
};

std::string listed(const std::vector<std::int64_t>& p) {
  std::string s = "[";
  for (std::size_t i = 0; i < p.size(); ++i) s += (i ? ", " : "") + std::to_string(p[i]);
  return s + "]";
}

// --- the assignment for the parties themselves

void print_own(const Santa& a, std::size_t party, std::int64_t recipient) {
  a.report.private_result("party " + std::to_string(party) + " gives a present to party " + std::to_string(recipient),
                          {{"party", party}, {"recipient", recipient}});
}

void print_all(const Santa& a, std::size_t party, const std::vector<std::int64_t>& p) {
  std::string text = "secret santa:";
  for (std::size_t i = 0; i < p.size(); ++i)
    text += (i ? ", " : " ") + std::to_string(i) + " -> " + std::to_string(p[i]);
  a.report.public_result(party, text, {{"derangement", boost::json::array(p.begin(), p.end())}});
}

boost::asio::awaitable<void> draw(Session<Fp64>& s, const Santa& a) {
  const auto p = co_await s.random_derangement(meshmpc::secint(kBits), s.n());
  if (a.mode == Mode::reveal) {
    print_all(a, s.id(), co_await s.output(p));
  } else {
    // Party i gets p(i) alone: n private outputs. A party waits only for its
    // own, so together they take one round trip.
    std::optional<std::int64_t> mine;
    for (std::size_t i = 0; i < s.n(); ++i) {
      const SecInt<Fp64> p_i = p.at(i);
      const std::vector<std::size_t> receiver(1, i);
      const auto got = co_await s.output_to(receiver, p_i);
      if (got) mine = got->front();
    }
    if (!mine) throw meshmpc::ProtocolError("secret santa: party " + std::to_string(s.id()) + " got no recipient");
    print_own(a, s.id(), *mine);
  }
}

// --- MPyC's demo: derangements of 2..N over several secure types

void print_row(const Santa& a, std::size_t party, const std::string& sectype, std::size_t n,
               const std::vector<std::int64_t>& p) {
  a.report.public_result(party, std::to_string(n) + " " + listed(p),
                         {{"sectype", sectype}, {"n", n}, {"derangement", boost::json::array(p.begin(), p.end())}});
}

void print_heading(const Santa& a, const std::string& text) {
  if (!a.report.json()) a.report.public_result(0, text, {});
}

// The sub-sessions' rounds count in s.rounds() too, so the party's summary has them.
using Variant = std::function<boost::asio::awaitable<void>(Session<Fp64>&, const Santa&)>;

boost::asio::awaitable<void> over_secure_integers(Session<Fp64>& s, const Santa& a) {
  const std::string sectype = "SecInt" + std::to_string(kBits);
  print_heading(a, "Using secure integers: " + sectype);
  for (std::size_t n = a.first; n <= a.last; ++n) {
    const auto p = co_await s.random_derangement(meshmpc::secint(kBits), n);
    print_row(a, s.id(), sectype, n, co_await s.output(p));
  }
}

// Over another field: a session of its own on the same links.
boost::asio::awaitable<void> over_prime_field(Session<Fp64>& s, const Santa& a) {
  auto sub = co_await s.sub_session(Fp64(kDemoPrime));
  const std::string sectype = sub.field().name();
  print_heading(a, "Using secure prime fields: " + sectype);
  for (std::size_t n = a.first; n <= a.last; ++n) {
    const auto p = co_await sub.random_derangement(meshmpc::secint(kBits), n);
    const auto opened = co_await sub.output(p.value());  // field elements, not integers
    std::vector<std::int64_t> row;
    for (const auto& e : opened) row.push_back(static_cast<std::int64_t>(sub.field().to_uint(e)));
    print_row(a, s.id(), sectype, n, row);
  }
}

// Over the binary field GF(2^8), as MPyC's demo: random bits cost nothing there
// (their XOR is a sum), and the rejection tests repeat their random multiplier
// until a false pass is as unlikely as 2^-k (docs/protocols.md).
boost::asio::awaitable<void> over_binary_field(Session<Fp64>& s, const Santa& a) {
  auto sub = co_await s.sub_session(meshmpc::NtlGF2E(8));
  const std::string sectype = sub.field().name();
  print_heading(a, "Using secure binary fields: " + sectype);
  for (std::size_t n = a.first; n <= a.last; ++n) {
    const auto opened = co_await sub.output(co_await sub.random_derangement(meshmpc::secfld(), n));
    std::vector<std::int64_t> row;  // the elements' bit patterns: 0..n-1
    for (const auto& e : opened) row.push_back(sub.field().to_int(e));
    print_row(a, s.id(), sectype, n, row);
  }
}

boost::asio::awaitable<void> demo(Session<Fp64>& s, const Santa& a) {
  std::vector<Variant> variants;
  variants.emplace_back(over_secure_integers);
  variants.emplace_back(over_prime_field);
  variants.emplace_back(over_binary_field);
  for (const auto& variant : variants) co_await variant(s, a);
}

// "2..8" (or "8", meaning 2..8).
std::pair<std::size_t, std::size_t> parse_sizes(const std::string& text) {
  const auto number = [&](std::string_view part) {
    std::size_t v = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size())
      throw ConfigError("--sizes '" + text + "': give a range such as 2..8");
    return v;
  };
  const std::string_view t(text);
  const auto dots = t.find("..");
  const std::size_t first = dots == std::string_view::npos ? 2 : number(t.substr(0, dots));
  const std::size_t last = number(dots == std::string_view::npos ? t : t.substr(dots + 2));
  if (first < 2 || first > last || last > kMaxSize)
    throw ConfigError("--sizes '" + text + "': sizes from 2 up to " + std::to_string(kMaxSize) +
                      ", the first no larger than the last");
  return {first, last};
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();  // large batches reuse freed memory (cli/run.hpp)
  meshmpc::cli::Parser parser("secretsanta",
                              "Secret santa: a random derangement of the parties; each party learns only whom it "
                              "gives a present to.");
  parser.add_options()("reveal", "open the whole assignment to everyone (as MPyC's demo)")(
      "sizes", po::value<std::string>(),
      "MPyC's demo: reveal derangements of sizes 2..N over secure integers, a prime field and GF(2^8)");
  ex::add_json_option(parser);
  return meshmpc::cli::main<Fp64>(parser, argc, argv, Fp64{}, [](const meshmpc::cli::RunOptions& o) {
    Santa a{Mode::private_outputs, 2, 2, ex::Report(o)};
    if (o.vars.count("sizes")) {
      if (o.vars.count("reveal")) throw ConfigError("give only one of --reveal, --sizes");
      a.mode = Mode::sizes;
      std::tie(a.first, a.last) = parse_sizes(o.vars["sizes"].as<std::string>());
    } else {
      if (o.parties < 2) throw ConfigError("secret santa needs at least 2 parties (-M 2 or more)");
      if (o.vars.count("reveal")) a.mode = Mode::reveal;
    }
    auto shared = std::make_shared<const Santa>(a);
    return meshmpc::PartyProgram<Fp64>([shared](Session<Fp64>& s) {
      return shared->mode == Mode::sizes ? demo(s, *shared) : draw(s, *shared);
    });
  });
}
