// meshmpc-bench: protocols among local parties, one CSV row per run.
//
//   meshmpc-bench --op mul --parties 3 --transport tcp --batch 1000000
//   meshmpc-bench --op mul --parties 5 --transport inmem --mul dn07 --repeat 3
//
// With --transport tcp every party is its own process on loopback (the local
// launcher of every meshmpc program); with inmem they are threads of this process.
// The timed part is the operation and one opening of a single element after it
// (so that every party is through): its inputs are PRSS random sharings made
// before, and one opening first lines the parties up. bytes_per_op_per_party is
// what party 0 sent (frame headers included) divided by the batch; rounds counts
// its communication rounds.
#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp64.hpp>

#include <chrono>
#include <cstdio>

namespace {

namespace po = boost::program_options;
using meshmpc::Fp64;
using meshmpc::Session;

struct Params {
  std::string op;
  std::size_t batch;
  std::size_t repeat;
  std::string transport;
  std::size_t parties;
};

boost::asio::awaitable<void> bench(Session<Fp64>& s, Params p) {
  const auto x = co_await s.random(p.batch);
  const auto y = co_await s.random(p.batch);
  // A named vector: GCC 12 cannot keep an initializer list alive across co_await.
  const std::vector<Fp64::Element> first(1, x[0]);
  for (std::size_t r = 0; r < p.repeat; ++r) {
    (void)co_await s.open(first);  // every party past its set-up
    const auto rounds_before = s.rounds();
    const auto bytes_before = s.statistics().total().sent.wire_bytes();
    const auto start = std::chrono::steady_clock::now();
    if (p.op == "mul") {
      (void)co_await s.mul(x, y);
    } else if (p.op == "open") {
      (void)co_await s.open(x);
    } else if (p.op == "random_bits") {
      (void)co_await s.random_bits(p.batch);
    } else if (p.op == "input") {
      (void)co_await s.input(0, x, p.batch);  // party 0 deals (its shares stand in as values)
    }
    // The operation has ended for party 0 when it has its result, but its own
    // last messages may still be queued: one more opening makes sure every party
    // is through (and every byte counted). Its one round is not the operation's.
    (void)co_await s.open(first);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto rounds = s.rounds() - rounds_before - 1;
    const auto bytes = s.statistics().total().sent.wire_bytes() - bytes_before;
    if (s.id() == 0) {
      const std::string op = p.op == "mul" ? "mul-" + to_string(s.core().options().mul) : p.op;
      std::printf("%s,%zu,%s,%zu,%.6f,%.0f,%llu,%.2f\n", op.c_str(), p.parties,
                  p.transport.c_str(), p.batch, seconds, static_cast<double>(p.batch) / seconds,
                  static_cast<unsigned long long>(rounds), static_cast<double>(bytes) / static_cast<double>(p.batch));
      std::fflush(stdout);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  meshmpc::cli::Parser parser("meshmpc-bench", "Throughput of a protocol among local parties; prints CSV.");
  parser.add_options()("op", po::value<std::string>()->default_value("mul"), "mul | open | input | random_bits")(
      "batch", po::value<std::size_t>()->default_value(1'000'000), "items per operation")(
      "repeat", po::value<std::size_t>()->default_value(1), "timed runs (one row each)")(
      "header", po::bool_switch(), "print the CSV header first");
  return meshmpc::cli::main<Fp64>(parser, argc, argv, Fp64{}, [](const meshmpc::cli::RunOptions& o) {
    Params p{o.vars["op"].as<std::string>(), o.vars["batch"].as<std::size_t>(), o.vars["repeat"].as<std::size_t>(),
             o.transport, o.parties};
    if (p.op != "mul" && p.op != "open" && p.op != "input" && p.op != "random_bits")
      throw meshmpc::ConfigError("--op: unknown operation '" + p.op + "' (known: mul, open, input, random_bits)");
    if (p.batch == 0) throw meshmpc::ConfigError("--batch must be at least 1");
    if (o.vars["header"].as<bool>() && !o.index)
      std::printf("op,parties,transport,batch,seconds,ops_per_s,rounds,bytes_per_op_per_party\n");
    return meshmpc::PartyProgram<Fp64>([p](Session<Fp64>& s) { return bench(s, p); });
  });
}
