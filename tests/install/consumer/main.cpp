// A program outside the meshmpc tree: shares 42 among 5 parties and reconstructs it
// from three of them, through the installed headers and libraries only.
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/sharing/prg.hpp>
#include <meshmpc/sharing/shamir.hpp>

#include <array>
#include <cstdio>
#include <span>

int main() {
  const meshmpc::Fp64 field;
  const meshmpc::Shamir<meshmpc::Fp64> shamir(field, 5, 2);
  meshmpc::Prg rng;
  const std::array secret{field.from_int(42)};
  const auto shares = shamir.share(secret, rng);
  const std::array<std::size_t, 3> parties{0, 2, 4};
  const std::array<std::span<const meshmpc::Fp64::Element>, 3> some{shares[0], shares[2], shares[4]};
  const auto value = shamir.reconstruct(parties, some);
  std::printf("reconstructed %lld\n", static_cast<long long>(field.to_int(value[0])));
  return 0;
}
