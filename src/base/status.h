// Status and Result<T>: how every fallible call in bakeoff reports an expected failure.
//
// Exceptions are reserved for bugs and for parsers at the edge (caught there and turned into a Status).
// No exception crosses a driver boundary or a C callback.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace bakeoff {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // bad input from the user: experiment file, option, flag
  kNotFound,          // a named thing (driver, file, result) does not exist
  kUnavailable,       // a server or endpoint cannot be reached now; retriable
  kQueueFull,         // a bounded client queue is full; retry after serving completions
  kTimeout,           // a deadline passed
  kCancelled,         // stopped on request (Ctrl-C, SIGTERM, deadline of the run)
  kInternal,          // a bug or an unexpected library failure
  kIo,                // a file or socket operation failed
  kUnauthenticated,   // credentials were refused
};

// Whether an operation that failed with `code` may succeed when simply retried.
constexpr bool IsRetriable(StatusCode code) {
  switch (code) {
    case StatusCode::kUnavailable:
    case StatusCode::kQueueFull:
    case StatusCode::kTimeout:
      return true;
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kCancelled:
    case StatusCode::kInternal:
    case StatusCode::kIo:
    case StatusCode::kUnauthenticated:
      return false;
  }
  return false;
}

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>"; "ok" for success.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status QueueFull(std::string m) { return {StatusCode::kQueueFull, std::move(m)}; }
inline Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIo, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace bakeoff

#define BAKEOFF_RETURN_IF_ERROR(expr)             \
  do {                                            \
    ::bakeoff::Status bakeoff_status_ = (expr);   \
    if (!bakeoff_status_.ok()) return bakeoff_status_; \
  } while (0)
