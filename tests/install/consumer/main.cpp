// The README's example program, built outside the tree against the installed
// package (the test runs it with --transport inmem -M 3 --wealths 3,9,4).
#include <meshmpc/cli/fitted_field.hpp>
using namespace meshmpc;

template <class F>  // the field the comparisons need at this n (cli::main_fitted picks it)
asio::awaitable<void> richest(Session<F>& s, std::int64_t wealth) {
  const std::vector mine{wealth};
  const auto w = SecInt<F>::concat(co_await s.input_all(secint(32), mine));  // w[i]: party i's
  const auto [index, top] = co_await s.argmax(w);       // both secret; ties: lowest index
  const auto who = co_await s.output(index);            // only the index is revealed
  std::printf("party %lld is the richest\n", static_cast<long long>(who[0]));
}

int main(int argc, char** argv) {
  cli::Parser parser("richest", "who of us has the most?");
  parser.add_options()("wealths", boost::program_options::value<std::vector<std::int64_t>>()->multitoken()->required(),
                       "party i's wealth is the i-th value");
  return cli::main_fitted(parser, argc, argv, [](const cli::RunOptions& o) {
    const auto all = o.vars["wealths"].as<std::vector<std::int64_t>>();
    if (all.size() != o.parties) throw ConfigError("--wealths: give one value per party");
    return cli::fitted(32, [all](auto& s) { return richest(s, all[s.id()]); });  // 32-bit secure integers
  });
}
