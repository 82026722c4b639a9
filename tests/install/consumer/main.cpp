// The README's example program, built outside the tree against the installed
// package (the test runs it with --transport inmem -M 3 --wealth 5).
#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp64.hpp>
using namespace meshmpc;

asio::awaitable<void> richer(Session<Fp64>& s, std::int64_t wealth) {
  const std::vector mine{wealth};
  const auto w = co_await s.input_int_all(mine, 32);   // w[i]: party i's, secret
  const auto d = co_await s.mul(w[0] - w[1], w[0] + w[1]);  // w0^2 - w1^2
  const auto out = co_await s.output(d);                // only this is revealed
  std::printf("w0^2 - w1^2 = %lld\n", static_cast<long long>(out[0]));
}

int main(int argc, char** argv) {
  cli::Parser parser("richer", "a toy");
  parser.add_options()("wealth", boost::program_options::value<std::int64_t>()->required(), "mine");
  return cli::main<Fp64>(parser, argc, argv, Fp64{}, [](const cli::RunOptions& o) {
    const auto w = o.vars["wealth"].as<std::int64_t>();
    return PartyProgram<Fp64>([w](Session<Fp64>& s) { return richer(s, w); });
  });
}
