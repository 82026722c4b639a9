#include <meshmpc/field/field_ops.hpp>

namespace meshmpc::detail {

void throw_length_mismatch(const char* op, std::size_t expected, std::size_t got) {
  throw RangeError(std::string("field vector ") + op + ": length " + std::to_string(got) +
                   " does not match length " + std::to_string(expected));
}

void throw_byte_length(const std::string& field, std::size_t expected, std::size_t got) {
  throw RangeError("decoding " + field + ": expected " + std::to_string(expected) + " bytes, got " +
                   std::to_string(got));
}

}  // namespace meshmpc::detail
