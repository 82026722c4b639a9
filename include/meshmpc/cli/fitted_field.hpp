#pragma once
// main_fitted: the main() of a program of secure integers that runs over whichever
// shipped prime field its comparisons need at this n, t, l and k
// (choose_integer_field): GF(2^64 - 59) while it fits — the fastest — else
// GF(2^127 - 1), else an NTL prime. The program is written once, generic in the
// field:
//
//   template <class F>
//   asio::awaitable<void> richest(Session<F>& s, const Wealth& w) { ... }
//
//   return cli::main_fitted(parser, argc, argv, [](const cli::RunOptions& o) {
//     auto w = std::make_shared<const Wealth>(...);               // checked before the start
//     return cli::fitted(o.bit_length, [w](auto& s) { return richest(s, *w); });
//   });
//
// Every party computes the same choice from the options they must agree on anyway
// (the session's set-up compares the field's name, so a mismatch is a clear error).
#include <meshmpc/cli/run.hpp>
#include <meshmpc/field/fp127.hpp>
#include <meshmpc/field/fp64.hpp>
#include <meshmpc/runtime/field_choice.hpp>
#include <meshmpc/runtime/session_ntl.hpp>

#include <iostream>
#include <optional>
#include <type_traits>
#include <utility>

namespace meshmpc::cli {

MESHMPC_CLI_RUN_INSTANTIATION(extern, NtlField)


// A program generic in the field (callable with Session<F>& for every shipped F,
// returning asio::awaitable<void>) and the bit length of its secure integers.
// `field`, when set, overrides the choice (to measure one field against another);
// a field too small for the comparisons then fails with the runtime's clear error.
template <class Program>
struct FittedProgram {
  std::size_t bit_length;
  Program program;
  std::optional<ShippedField> field = std::nullopt;
};

template <class Program>
FittedProgram<std::decay_t<Program>> fitted(std::size_t bit_length, Program&& program,
                                            std::optional<ShippedField> field = std::nullopt) {
  return {bit_length, std::forward<Program>(program), field};
}

// The field for a program's secure integers of `bit_length` bits under these options.
FieldChoice choose_field(const RunOptions& options, std::size_t bit_length);

// As cli::main (run.hpp), with the field chosen after the options are parsed.
// Factory: (const RunOptions&) -> FittedProgram<P>; a ConfigError from it (or from
// the choice) is exit status 2 before anything starts. A program that never needs
// more than 127 bits (small integers) passes WithNtl = false and is not compiled for
// the NTL field: a choice beyond it is then refused, naming the bits.
template <bool WithNtl = true, class Factory>
int main_fitted(const Parser& parser, int argc, const char* const argv[], Factory factory) {
  using Fitted = std::invoke_result_t<Factory&, const RunOptions&>;
  RunOptions options;
  std::optional<Fitted> program;
  std::optional<FieldChoice> choice;
  try {
    options = parser.parse(argc, argv);
    if (options.action == Action::run) {
      program.emplace(factory(options));
      choice = choose_field(options, program->bit_length);
      if (program->field && *program->field != ShippedField::ntl) choice->field = *program->field;
      if (!WithNtl && choice->field == ShippedField::ntl)
        throw ConfigError(std::to_string(program->bit_length) + "-bit comparisons with -K " +
                          std::to_string(options.sec_param) + " need a field of " +
                          std::to_string(choice->needed_bits) + " bits; " + options.program +
                          " runs over fields of up to 127 bits: lower -K or -L");
    }
  } catch (const Error& e) {
    std::cerr << options.program << (options.program.empty() ? "" : ": ") << e.what() << "\n";
    return 2;
  }
  if (!choice) return run_program<Fp64>(std::move(options), Fp64{}, {});  // --help, --version
  auto as = [&](const auto& field) {
    using F = std::decay_t<decltype(field)>;
    auto body = program->program;
    return run_program<F>(std::move(options), field, PartyProgram<F>([body](Session<F>& s) { return body(s); }));
  };
  try {
    switch (choice->field) {
      case ShippedField::fp64: return as(Fp64{});
      case ShippedField::fp127: return as(Fp127{});
      case ShippedField::ntl:
        if constexpr (WithNtl) return as(NtlField(choice->ntl_prime_decimal));
        return 1;  // refused above
    }
    return 1;
  } catch (const std::exception& e) {  // the launcher could not start the parties
    std::cerr << e.what() << "\n";
    return 1;
  }
}

}  // namespace meshmpc::cli
