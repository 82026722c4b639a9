// sharing_demo: what Shamir secret sharing gives, in one process. Each of n parties
// secret-shares its salary; every party adds the shares it holds; any t+1 parties
// together open the total, while any t of them see only uniformly random values.
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <numeric>
#include <vector>

namespace po = boost::program_options;

int main(int argc, char** argv) {
  std::size_t n = 5;
  std::vector<std::int64_t> salaries;
  po::options_description opts("sharing_demo: the sum of secret salaries, opened from t+1 shares");
  opts.add_options()("help,h", "show this help")(
      "parties,M", po::value(&n)->default_value(5), "number of parties n")(
      "salaries", po::value(&salaries)->multitoken(), "one value per party (default 1000*(i+1))");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sharing_demo: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (salaries.empty())
    for (std::size_t i = 0; i < n; ++i) salaries.push_back(static_cast<std::int64_t>(1000 * (i + 1)));
  if (salaries.size() != n) {
    std::cerr << "sharing_demo: --salaries needs " << n << " values, got " << salaries.size() << "\n";
    return 2;
  }
  try {
    const meshmpc::Fp64 field;
    const std::size_t t = (n - 1) / 2;
    const meshmpc::Shamir<meshmpc::Fp64> shamir(field, n, t);
    meshmpc::Prg rng;

    // held[j]: what party j holds after every party dealt its salary.
    std::vector<std::vector<meshmpc::Fp64::Element>> held(n, std::vector{field.zero()});
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector secret{field.from_int(salaries[i])};
      const auto shares = shamir.share(secret, rng);
      for (std::size_t j = 0; j < n; ++j) held[j][0] = field.add(held[j][0], shares[j][0]);
    }
    std::printf("%zu parties, threshold t = %zu, field %s\n", n, t, field.name().c_str());
    for (std::size_t j = 0; j < n; ++j)
      std::printf("  party %zu holds %s\n", j, field.to_string(held[j][0]).c_str());

    std::vector<std::size_t> ids(t + 1);
    std::iota(ids.begin(), ids.end(), n - t - 1);  // the last t+1 parties
    std::vector<std::span<const meshmpc::Fp64::Element>> some;
    for (auto id : ids) some.emplace_back(held[id]);
    const auto total = shamir.reconstruct(ids, some);
    const auto expected = std::accumulate(salaries.begin(), salaries.end(), std::int64_t{0});
    std::printf("parties %zu..%zu open the total: %lld (plain sum: %lld)\n", ids.front(), ids.back(),
                static_cast<long long>(field.to_int(total[0])), static_cast<long long>(expected));
    return field.to_int(total[0]) == expected ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sharing_demo: " << e.what() << "\n";
    return 1;
  }
}
