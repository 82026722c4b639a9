#pragma once
// Which CertificateFault a statement throws, and the expectation the certificate
// tests make of it: that kind, and a message naming what was wrong.
#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>

#include <meshmpc/nebula/certificate.hpp>

namespace meshmpc::nebula::test {

// The fault of the CertificateError `f` throws (its message into `message`); a test
// failure and `unreadable` when it throws none.
inline CertificateFault fault_of(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const CertificateError& e) {
    if (message) *message = e.what();
    return e.fault();
  }
  ADD_FAILURE() << "no CertificateError was thrown";
  return CertificateFault::unreadable;
}

// Expects `statement` to throw a CertificateError of `expected` kind whose message
// contains every one of `parts`.
inline void expect_fault(CertificateFault expected, const std::function<void()>& statement,
                         std::initializer_list<std::string> parts = {}) {
  std::string message;
  EXPECT_EQ(fault_of(statement, &message), expected) << message;
  for (const std::string& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
}

}  // namespace meshmpc::nebula::test
