// meshmpc-bench: protocols among local parties, one CSV row per run.
//
//   meshmpc-bench --op mul --parties 3 --transport tcp --batch 1000000
//   meshmpc-bench --op mul --parties 3 --transport tcp --ssl --batch 1000000
//   meshmpc-bench --op mul --parties 5 --transport inmem --mul dn07 --repeat 3
//   meshmpc-bench --op cmp -M 3 --batch 100000          (a < b on 32-bit integers, -L)
//   meshmpc-bench --op sort -M 3 --batch 1024           (batch = vector length)
//   meshmpc-bench --op permute -M 3 --batch 64          (a random permutation of 64)
//   meshmpc-bench --op random -M 9 --randomness extraction   (random sharings; or prss, auto)
//   meshmpc-bench --op fxp-mul -M 3 --batch 100000      (secfxp(l, l/2) x y; also fxp-div,
//                                                          fxp-sqrt; over GF(2^127 - 1))
//   meshmpc-bench --op cmp -M 3 --field fp127            (the field; default: the one
//                                                          cmp at this n, -L and -K needs)
//   meshmpc-bench --op exchange -M 3 --batch 1000000     (the transport alone: one round
//                                                          of batch elements to every peer)
//
// With --transport tcp every party is its own process on loopback (the local
// launcher of every meshmpc program); with inmem they are threads of this process.
// The timed part is the operation and one opening of a single element after it
// (so that every party is through): its inputs are random sharings made before
// (the session's randomness, printed in the last column), and one opening first
// lines the parties up. bytes_per_op_per_party is
// what party 0 sent (frame headers included) divided by the batch; rounds counts
// its communication rounds; peak_rss_mb is party 0's process at its peak so far
// (with inmem: the one process of all parties). With --emulate-rtt/--emulate-rate
// (net/link_emulation.hpp) the links are slow and far. --json prints each row as
// one JSON object per line instead.
#include <meshmpc/cli/fitted_field.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace {

namespace po = boost::program_options;
using meshmpc::Session;

struct Params {
  std::string op;
  std::size_t batch;
  std::size_t repeat;
  std::string transport;
  std::size_t parties;
  std::size_t bits;
  bool json;
  meshmpc::net::LinkEmulation emulation;
};

constexpr const char* kColumns =
    "op,parties,transport,batch,seconds,ops_per_s,rounds,bytes_per_op_per_party,field,randomness,peak_rss_mb,"
    "rtt_ms,rate_mbit";

// This process's peak resident memory so far, in MB (Linux reports KiB).
double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// One timed run, as a CSV row or a JSON object (the same names).
struct Row {
  std::string op, transport, field, randomness;
  std::size_t parties, batch;
  double seconds;
  std::uint64_t rounds;
  double bytes_per_op;
  meshmpc::net::LinkEmulation emulation;

  void print(bool json) const {
    const double rate = static_cast<double>(batch) / seconds, rss = peak_rss_mb();
    const double rtt_ms = static_cast<double>(emulation.rtt.count()) / 1000.0,
                 mbit = emulation.rate_bits_per_second / 1e6;
    if (json) {
      const boost::json::value v = {{"op", op}, {"parties", parties}, {"transport", transport}, {"batch", batch},
                                    {"seconds", seconds}, {"ops_per_s", rate}, {"rounds", rounds},
                                    {"bytes_per_op_per_party", bytes_per_op}, {"field", field},
                                    {"randomness", randomness}, {"peak_rss_mb", rss}, {"rtt_ms", rtt_ms},
                                    {"rate_mbit", mbit}};
      std::printf("%s\n", boost::json::serialize(v).c_str());
    } else {
      std::printf("%s,%zu,%s,%zu,%.6f,%.0f,%llu,%.2f,%s,%s,%.1f,%g,%g\n", op.c_str(), parties, transport.c_str(),
                  batch, seconds, rate, static_cast<unsigned long long>(rounds), bytes_per_op, field.c_str(),
                  randomness.c_str(), rss, rtt_ms, mbit);
    }
    std::fflush(stdout);
  }
};

constexpr const char* kOps[] = {"mul",     "open",    "input",   "random",  "random_bits", "cmp",     "eq",
                                "sort",    "permute", "fxp-mul", "fxp-div", "fxp-sqrt",    "exchange"};

bool fixed_point(const Params& p) { return p.op.rfind("fxp-", 0) == 0; }

// Party 0's fixed-point values in [lo, hi): products of two stay in range.
std::vector<double> random_doubles(std::size_t count, double lo, double hi, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(count);
  for (auto& x : v) x = dist(gen);
  return v;
}

// Party 0's fixed-point inputs for the fxp-* ops: a of either sign, b > 0 (for div
// and sqrt); empty values for the other ops, which must not check the field for
// fixed point (nor hold memory that the peak RSS would count).
template <class F>
boost::asio::awaitable<std::pair<meshmpc::SecFxp<F>, meshmpc::SecFxp<F>>> fixed_point_inputs(Session<F>& s,
                                                                                            const Params& p) {
  const auto none = s.constant(meshmpc::secint(p.bits), std::vector<std::int64_t>{});
  std::pair<meshmpc::SecFxp<F>, meshmpc::SecFxp<F>> out(meshmpc::SecFxp<F>(none, 0), meshmpc::SecFxp<F>(none, 0));
  if (!fixed_point(p)) co_return out;
  out.first = co_await s.input(meshmpc::secfxp(p.bits), 0, random_doubles(s.id() ? 0 : p.batch, -100, 100, 3), p.batch);
  out.second = co_await s.input(meshmpc::secfxp(p.bits), 0, random_doubles(s.id() ? 0 : p.batch, 0.5, 100, 4), p.batch);
  co_return out;
}

// The fixed-point operations, on party 0's inputs a (any sign) and b > 0.
template <class F>
boost::asio::awaitable<void> fixed_point_op(Session<F>& s, const Params& p, const meshmpc::SecFxp<F>& a,
                                            const meshmpc::SecFxp<F>& b) {
  if (p.op == "fxp-mul") (void)co_await s.mul(a, b);
  if (p.op == "fxp-div") (void)co_await s.div(a, b);
  if (p.op == "fxp-sqrt") (void)co_await s.sqrt(b);
}

// Party 0's random l-bit integers (the values do not change the cost).
std::vector<std::int64_t> random_ints(std::size_t count, std::size_t bits, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  const std::int64_t hi = static_cast<std::int64_t>((std::uint64_t{1} << (bits - 1)) - 1);
  std::uniform_int_distribution<std::int64_t> dist(-hi - 1, hi);
  std::vector<std::int64_t> v(count);
  for (auto& x : v) x = dist(gen);
  return v;
}

// The transport alone: the party's batch of field elements to every other party,
// and theirs back, in one round with no computation (GRR's message pattern at
// n = 3). What the report sets against meshmpc-rawnet moving the same bytes over
// plain sockets: the efficiency of the transport itself (framing, the runtime,
// TLS), apart from the protocols' arithmetic. The batch goes out as the
// protocols send one (Core::send of a shared batch: one vector, written to every
// link from where it lies) and is read where it arrives (Core::receive_view).
template <class F>
boost::asio::awaitable<void> exchange(Session<F>& s, std::shared_ptr<const meshmpc::Shares<F>> batch) {
  auto& core = meshmpc::protocols::core_of(s);
  auto scope = meshmpc::protocols::next_scope(s);
  const auto label = scope.next_label();
  for (std::size_t j = 0; j < s.n(); ++j)
    if (j != s.id()) core.send(j, label, batch);
  for (std::size_t j = 0; j < s.n(); ++j)
    if (j != s.id()) (void)co_await core.receive_view(j, label, batch->size());
  scope.count_rounds(1);
}

// The timed operation p.op (but the fixed-point ones) on the prepared inputs: field
// vectors x, y and integer vectors a, b.
template <class F>
boost::asio::awaitable<void> run_op(Session<F>& s, const Params& p, const meshmpc::SecFld<F>& x,
                                    const meshmpc::SecFld<F>& y, const meshmpc::SecInt<F>& a,
                                    const meshmpc::SecInt<F>& b) {
  using meshmpc::secfld;
  using meshmpc::secint;
  if (p.op == "mul") {
    (void)co_await s.mul(x, y);
  } else if (p.op == "open") {
    (void)co_await s.output(x);
  } else if (p.op == "random") {
    (void)co_await s.random(secfld(), p.batch);
  } else if (p.op == "random_bits") {
    (void)co_await s.random_bits(secfld(), p.batch);
  } else if (p.op == "input") {
    (void)co_await s.input(secfld(), 0, x.shares(), p.batch);  // party 0 deals (its shares stand in as values)
  } else if (p.op == "cmp") {
    (void)co_await s.lt(a, b);
  } else if (p.op == "eq") {
    (void)co_await s.eq(a, b);
  } else if (p.op == "sort") {
    (void)co_await s.sort(a);
  } else if (p.op == "permute") {
    (void)co_await s.random_permutation(secint(p.bits), p.batch);
  }
}

template <class F>
boost::asio::awaitable<void> bench(Session<F>& s, Params p) {
  using meshmpc::secfld;
  using meshmpc::secint;
  // The field inputs, for the ops that take them (one element otherwise: the
  // closing opening's); a party's peak RSS counts only what its op holds.
  const bool takes_x = p.op == "mul" || p.op == "open" || p.op == "input" || p.op == "exchange";
  const auto x = co_await s.random(secfld(), takes_x ? p.batch : 1);
  const auto y = co_await s.random(secfld(), p.op == "mul" ? p.batch : 1);
  const auto first = x.at(0);
  const bool integers = p.op == "cmp" || p.op == "eq" || p.op == "sort";
  auto a_values = s.id() == 0 && integers ? random_ints(p.batch, p.bits, 1) : std::vector<std::int64_t>{};
  auto b_values = s.id() == 0 && integers ? random_ints(p.batch, p.bits, 2) : std::vector<std::int64_t>{};
  const auto a = co_await s.input(secint(p.bits), 0, a_values, integers ? p.batch : 0);
  const auto b = co_await s.input(secint(p.bits), 0, b_values, integers ? p.batch : 0);
  // Party 0's plaintexts are not the operation's: not held while it is measured.
  std::vector<std::int64_t>().swap(a_values);
  std::vector<std::int64_t>().swap(b_values);
  const auto [fa, fb] = co_await fixed_point_inputs(s, p);
  const auto batch = std::make_shared<const meshmpc::Shares<F>>(p.op == "exchange" ? x.shares() : meshmpc::Shares<F>{});
  for (std::size_t r = 0; r < p.repeat; ++r) {
    (void)co_await s.output(first);  // every party past its set-up
    const auto rounds_before = s.rounds();
    const auto bytes_before = s.statistics().total().sent.wire_bytes();
    const auto start = std::chrono::steady_clock::now();
    if (p.op == "exchange") {
      co_await exchange(s, batch);
    } else {
      co_await run_op(s, p, x, y, a, b);
    }
    co_await fixed_point_op(s, p, fa, fb);  // nothing unless p.op is fxp-*
    // The operation has ended for party 0 when it has its result, but its own
    // last messages may still be queued: one more opening makes sure every party
    // is through (and every byte counted). Its one round is not the operation's.
    (void)co_await s.output(first);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto rounds = s.rounds() - rounds_before - 1;
    const auto bytes = s.statistics().total().sent.wire_bytes() - bytes_before;
    if (s.id() == 0) {
      const Row row{p.op == "mul" ? "mul-" + to_string(s.options().mul) : p.op,
                    p.transport,
                    s.field().name(),
                    to_string(s.options().randomness),
                    p.parties,
                    p.batch,
                    seconds,
                    rounds,
                    static_cast<double>(bytes) / static_cast<double>(p.batch),
                    p.emulation};
      row.print(p.json);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::keep_freed_memory();  // large batches reuse freed memory (cli/run.hpp)
  meshmpc::cli::Parser parser("meshmpc-bench", "Throughput of a protocol among local parties; prints CSV.");
  parser.add_options()("op", po::value<std::string>()->default_value("mul"),
                       "mul | open | input | random | random_bits | cmp | eq | sort | permute | fxp-mul | fxp-div | fxp-sqrt | "
                       "exchange")(
      "batch", po::value<std::size_t>()->default_value(1'000'000),
      "items per operation (sort, permute: the vector length)")(
      "repeat", po::value<std::size_t>()->default_value(1), "timed runs (one row each)")(
      "header", po::bool_switch(), "print the CSV header first")(
      "json", "one JSON object per row instead of CSV")(
      "field", po::value<std::string>()->default_value("auto"),
      "auto | fp64 | fp127: the prime field (auto: the smallest that cmp at this n, -L and -K needs)");
  return meshmpc::cli::main_fitted<false>(parser, argc, argv, [](const meshmpc::cli::RunOptions& o) {
    Params p{o.vars["op"].as<std::string>(), o.vars["batch"].as<std::size_t>(), o.vars["repeat"].as<std::size_t>(),
             o.ssl ? o.transport + "+tls" : o.transport, o.parties, o.bit_length, o.vars.count("json") > 0,
             o.emulation};
    if (std::find(std::begin(kOps), std::end(kOps), p.op) == std::end(kOps))
      throw meshmpc::ConfigError("--op: unknown operation '" + p.op +
                                 "' (known: mul, open, input, random, random_bits, cmp, eq, sort, permute, fxp-mul, fxp-div, fxp-sqrt, "
                                 "exchange)");
    if (p.batch == 0) throw meshmpc::ConfigError("--batch must be at least 1");
    if (o.vars["header"].as<bool>() && !o.index && !p.json) std::printf("%s\n", kColumns);
    const auto field = o.vars["field"].as<std::string>();
    std::optional<meshmpc::ShippedField> fixed;
    if (field == "fp64") fixed = meshmpc::ShippedField::fp64;
    else if (field == "fp127") fixed = meshmpc::ShippedField::fp127;
    else if (field != "auto") throw meshmpc::ConfigError("--field: unknown field '" + field + "' (known: auto, fp64, fp127)");
    if (fixed_point(p) && !fixed) fixed = meshmpc::ShippedField::fp127;  // 2l-bit products and their masks
    return meshmpc::cli::fitted(p.bits, [p](auto& s) { return bench(s, p); }, fixed);
  });
}
