// Typed option binding: a driver declares its settings struct and binds each field once (name, type,
// default, help, range or choices); from that one declaration come the OptionSchema (validation and
// `bakeoff drivers` help) and Bind(), which fills the struct from validated OptionValues. Defaults are
// stated once, in the declaration.
//
//   struct RedisSettings { int pipeline = 0; std::optional<int64_t> maxlen; std::chrono::milliseconds
//                          connect_timeout{}; };
//   OptionBinder<RedisSettings> b;
//   b.Int("pipeline", &RedisSettings::pipeline).Default(64).Range(1, 65536).Help("XADD commands ...");
//   b.Int("maxlen", &RedisSettings::maxlen).Min(1).Help("...");       // std::optional: unset stays unset
//   b.Duration("connect_timeout", &RedisSettings::connect_timeout).Default(3s).Range(1ms, 300s).Help("...");
//   Result<RedisSettings> settings = b.Bind(options);
//
// Field types: Int (any integral, checked to fit), Double, Bool, String, Bytes (integral bytes), Duration
// (any std::chrono::duration; ranges as durations), Enum (a std::string member with Choices(), or an enum
// member with a name -> value mapping) and StringMap (pass-through maps). Members of a base struct bind too
// (options several drivers share). A std::optional<T> member is left
// empty when the option is absent and has no default; a plain member keeps its initializer then.
//
// Declaration mistakes (a name or a member bound twice, a default outside its range or choices) are
// programming errors: the first one is kept in status(), and Bind() returns it, so a wrong table fails every
// run of that driver and the registry test, never silently.
//
// Layering: spec depends on base only. Thread safety: declare once (e.g. in a driver's constructor), then
// Bind() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/status.h"
#include "spec/option_schema.h"

namespace bakeoff {

// What every binder offers without its settings type: for generic checks over all drivers.
class OptionBinding {
 public:
  virtual ~OptionBinding() = default;
  virtual const OptionSchema& schema() const = 0;
  // Ok, or the first declaration mistake.
  virtual Status status() const = 0;
  // Binds `values` into the settings struct and reads every field back as an option value: what the
  // driver will actually use. Options whose field is an empty std::optional are absent.
  virtual Result<OptionValues> RoundTrip(const OptionValues& values) const = 0;
};

namespace option_binding_internal {

template <typename T>
struct Optional {
  using type = T;
  static constexpr bool kOptional = false;
};
template <typename T>
struct Optional<std::optional<T>> {
  using type = T;
  static constexpr bool kOptional = true;
};

template <typename T>
struct IsDuration : std::false_type {};
template <typename Rep, typename Period>
struct IsDuration<std::chrono::duration<Rep, Period>> : std::true_type {};

// Names the offending option in every message.
Status BindError(const OptionSpec& spec, const std::string& what);
// Checks a number against the spec's min/max (durations: seconds).
Status CheckRange(const OptionSpec& spec, double value);
std::string DescribeValue(const OptionValue& value);

}  // namespace option_binding_internal

template <typename Settings>
class OptionBinder final : public OptionBinding {
 public:
  using StringMap = std::map<std::string, std::string>;

  // The fluent view of one field under declaration. `DefaultType` is what Default() takes.
  template <typename DefaultType>
  class Field {
   public:
    Field(OptionBinder* binder, size_t index) : binder_(binder), index_(index) {}
    Field& Default(DefaultType value) {
      OptionSpec& s = spec();
      if constexpr (std::is_same_v<DefaultType, std::chrono::nanoseconds>) {
        s.default_value = int64_t{value.count()};
      } else if constexpr (std::is_same_v<DefaultType, std::string>) {
        s.default_value = std::move(value);
      } else {
        s.default_value = OptionValue(value);
      }
      s.optional = false;
      binder_->CheckDefault(index_);
      return *this;
    }
    // NOLINTNEXTLINE(performance-unnecessary-value-param): moved in (a false finding in a template)
    Field& Help(std::string text) {
      spec().help = std::move(text);
      return *this;
    }
    // Inclusive bounds; durations take durations, everything else numbers.
    Field& Range(DefaultType min, DefaultType max) { return Min(min).Max(max); }
    Field& Min(DefaultType min) {
      spec().min = Bound(min);
      binder_->CheckDefault(index_);
      return *this;
    }
    Field& Max(DefaultType max) {
      spec().max = Bound(max);
      binder_->CheckDefault(index_);
      return *this;
    }
    // Never printed, never stored resolved; the user gives "${env:NAME}".
    Field& Secret() {
      spec().secret = true;
      return *this;
    }
    // The allowed values of an Enum bound to a std::string member.
    // NOLINTNEXTLINE(performance-unnecessary-value-param): moved in (a false finding in a template)
    Field& Choices(std::vector<std::string> choices) {
      spec().choices = std::move(choices);
      binder_->CheckDefault(index_);
      return *this;
    }

   private:
    OptionSpec& spec() { return binder_->schema_.options[index_]; }
    static double Bound(const DefaultType& value) {
      if constexpr (std::is_same_v<DefaultType, std::chrono::nanoseconds>) {
        return static_cast<double>(value.count()) / 1e9;
      } else if constexpr (std::is_arithmetic_v<DefaultType>) {
        return static_cast<double>(value);
      } else {
        return 0;
      }
    }
    OptionBinder* binder_;
    size_t index_;
  };

  OptionBinder() : probe_(std::make_unique<Settings>()) {}
  OptionBinder(const OptionBinder&) = delete;
  OptionBinder& operator=(const OptionBinder&) = delete;

  template <typename M, typename Owner>
  Field<int64_t> Int(const char* name, M Owner::*member) {
    return Integral(name, OptionType::kInt, member);
  }
  template <typename M, typename Owner>
  Field<int64_t> Bytes(const char* name, M Owner::*member) {
    return Integral(name, OptionType::kBytes, member);
  }

  template <typename M, typename Owner>
  Field<double> Double(const char* name, M Owner::*member) {
    static_assert(std::is_same_v<typename option_binding_internal::Optional<M>::type, double>);
    return Add<double>(
        name, OptionType::kDouble, member,
        [](const OptionSpec& spec, const OptionValue& v, double& out) -> Status {
          if (const double* d = std::get_if<double>(&v)) {
            out = *d;
          } else if (const int64_t* i = std::get_if<int64_t>(&v)) {
            out = static_cast<double>(*i);  // an integer literal is still a number
          } else {
            return option_binding_internal::BindError(spec, "expected a number");
          }
          return option_binding_internal::CheckRange(spec, out);
        },
        [](const double& d) { return OptionValue(d); });
  }

  template <typename M, typename Owner>
  Field<bool> Bool(const char* name, M Owner::*member) {
    static_assert(std::is_same_v<typename option_binding_internal::Optional<M>::type, bool>);
    return Add<bool>(name, OptionType::kBool, member, Alternative<bool>("expected true or false"),
                     [](const bool& b) { return OptionValue(b); });
  }

  template <typename M, typename Owner>
  Field<std::string> String(const char* name, M Owner::*member) {
    static_assert(std::is_same_v<typename option_binding_internal::Optional<M>::type, std::string>);
    return Add<std::string>(name, OptionType::kString, member, Alternative<std::string>("expected text"),
                            [](const std::string& s) { return OptionValue(s); });
  }

  template <typename M, typename Owner>
  Field<StringMap> StringMapOption(const char* name, M Owner::*member) {
    static_assert(std::is_same_v<typename option_binding_internal::Optional<M>::type, StringMap>);
    return Add<StringMap>(name, OptionType::kStringMap, member, Alternative<StringMap>("expected a map"),
                          [](const StringMap& m) { return OptionValue(m); });
  }

  template <typename M, typename Owner>
  Field<std::chrono::nanoseconds> Duration(const char* name, M Owner::*member) {
    using D = typename option_binding_internal::Optional<M>::type;
    static_assert(option_binding_internal::IsDuration<D>::value, "Duration needs a std::chrono member");
    return Add<std::chrono::nanoseconds>(
        name, OptionType::kDuration, member,
        [](const OptionSpec& spec, const OptionValue& v, D& out) -> Status {
          const int64_t* ns = std::get_if<int64_t>(&v);
          if (ns == nullptr) return option_binding_internal::BindError(spec, "expected a duration");
          BAKEOFF_RETURN_IF_ERROR(option_binding_internal::CheckRange(spec, static_cast<double>(*ns) / 1e9));
          out = std::chrono::duration_cast<D>(std::chrono::nanoseconds(*ns));
          return Status::Ok();
        },
        [](const D& d) {
          return OptionValue(int64_t{std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()});
        });
  }

  // An enum option read into a std::string member; give the allowed values with Choices().
  template <typename M, typename Owner>
  Field<std::string> Enum(const char* name, M Owner::*member) {
    static_assert(std::is_same_v<typename option_binding_internal::Optional<M>::type, std::string>);
    return Add<std::string>(
        name, OptionType::kEnum, member,
        [](const OptionSpec& spec, const OptionValue& v, std::string& out) -> Status {
          const std::string* text = std::get_if<std::string>(&v);
          if (text == nullptr || !IsChoice(spec, *text))
            return option_binding_internal::BindError(spec, "expected one of the choices");
          out = *text;
          return Status::Ok();
        },
        [](const std::string& s) { return OptionValue(s); });
  }

  // An enum option read into an enum member through `mapping` (name -> value, in the order help shows).
  template <typename M, typename Owner, typename E = typename option_binding_internal::Optional<M>::type>
  Field<std::string> Enum(const char* name, M Owner::*member,
                          std::vector<std::pair<std::string, E>> mapping) {
    static_assert(std::is_enum_v<E>);
    auto shared = std::make_shared<const std::vector<std::pair<std::string, E>>>(std::move(mapping));
    Field<std::string> field = Add<std::string>(
        name, OptionType::kEnum, member,
        [shared](const OptionSpec& spec, const OptionValue& v, E& out) -> Status {
          if (const std::string* text = std::get_if<std::string>(&v)) {
            for (const auto& [choice, value] : *shared) {
              if (choice == *text) {
                out = value;
                return Status::Ok();
              }
            }
          }
          return option_binding_internal::BindError(spec, "expected one of the choices");
        },
        [shared](const E& e) {
          for (const auto& [choice, value] : *shared) {
            if (value == e) return OptionValue(choice);
          }
          return OptionValue(std::string("<unmapped>"));
        });
    std::vector<std::string> choices;
    for (const auto& entry : *shared) choices.push_back(entry.first);
    field.Choices(std::move(choices));
    return field;
  }

  const OptionSchema& schema() const override { return schema_; }
  Status status() const override { return error_; }

  // Fills a Settings from `values`; an absent option takes its declared default. Values are checked
  // against type, range and choices again (callers other than the spec parser may pass raw values).
  Result<Settings> Bind(const OptionValues& values) const {
    if (!error_.ok()) return error_;
    Settings settings{};
    for (size_t i = 0; i < fields_.size(); ++i) {
      const OptionSpec& spec = schema_.options[i];
      auto it = values.all().find(spec.name);
      const OptionValue* value = it != values.all().end() ? &it->second
                                 : spec.default_value     ? &*spec.default_value
                                                          : nullptr;
      if (value == nullptr) continue;
      BAKEOFF_RETURN_IF_ERROR(fields_[i].assign(spec, *value, settings));
    }
    return settings;
  }

  // The option values `settings` holds (the inverse of Bind). An option without a default whose field
  // still holds what an untouched Settings holds (e.g. an empty user name) reads as unset.
  OptionValues Values(const Settings& settings) const {
    OptionValues values;
    const Settings untouched{};
    for (size_t i = 0; i < fields_.size(); ++i) {
      std::optional<OptionValue> v = fields_[i].read(settings);
      if (!v) continue;
      if (!schema_.options[i].default_value && v == fields_[i].read(untouched)) continue;
      values.Set(schema_.options[i].name, *v);
    }
    return values;
  }

  Result<OptionValues> RoundTrip(const OptionValues& values) const override {
    Result<Settings> settings = Bind(values);
    if (!settings.ok()) return settings.status();
    return Values(*settings);
  }

 private:
  struct BoundField {
    std::function<Status(const OptionSpec&, const OptionValue&, Settings&)> assign;
    std::function<std::optional<OptionValue>(const Settings&)> read;
  };

  static bool IsChoice(const OptionSpec& spec, const std::string& text) {
    for (const std::string& c : spec.choices) {
      if (c == text) return true;
    }
    return false;
  }

  // Assigns the OptionValue alternative T as is.
  template <typename T>
  static auto Alternative(const char* expected) {
    return [expected](const OptionSpec& spec, const OptionValue& v, T& out) -> Status {
      const T* value = std::get_if<T>(&v);
      if (value == nullptr) return option_binding_internal::BindError(spec, expected);
      out = *value;
      return Status::Ok();
    };
  }

  template <typename M, typename Owner>
  Field<int64_t> Integral(const char* name, OptionType type, M Owner::*member) {
    using I = typename option_binding_internal::Optional<M>::type;
    static_assert(std::is_integral_v<I> && !std::is_same_v<I, bool>, "Int/Bytes need an integral member");
    return Add<int64_t>(
        name, type, member,
        [](const OptionSpec& spec, const OptionValue& v, I& out) -> Status {
          const int64_t* i = std::get_if<int64_t>(&v);
          if (i == nullptr) return option_binding_internal::BindError(spec, "expected an integer");
          BAKEOFF_RETURN_IF_ERROR(option_binding_internal::CheckRange(spec, static_cast<double>(*i)));
          if (!std::in_range<I>(*i))
            return option_binding_internal::BindError(spec, "does not fit its field");
          out = static_cast<I>(*i);
          return Status::Ok();
        },
        [](const I& i) { return OptionValue(static_cast<int64_t>(i)); });
  }

  // Declares one field: `assign` converts a value into the (unwrapped) member type, `read` back.
  template <typename DefaultType, typename M, typename Owner, typename Assign, typename Read>
  Field<DefaultType> Add(const char* name, OptionType type, M Owner::*member, Assign assign, Read read) {
    static_assert(std::is_base_of_v<Owner, Settings>, "the member must belong to the settings struct");
    using Traits = option_binding_internal::Optional<M>;
    OptionSpec spec;
    spec.name = name;
    spec.type = type;
    spec.optional = true;  // until Default()
    const void* address = &(probe_.get()->*member);
    for (size_t i = 0; i < schema_.options.size(); ++i) {
      if (schema_.options[i].name == spec.name)
        Fail(option_binding_internal::BindError(spec, "bound twice (option names must be unique)"));
      if (addresses_[i] == address)
        Fail(option_binding_internal::BindError(
            spec, "binds the field of option `" + schema_.options[i].name + "` again"));
    }
    BoundField field;
    field.assign = [member, assign](const OptionSpec& s, const OptionValue& v, Settings& settings) -> Status {
      if constexpr (Traits::kOptional) {
        typename Traits::type value{};
        BAKEOFF_RETURN_IF_ERROR(assign(s, v, value));
        settings.*member = std::move(value);
        return Status::Ok();
      } else {
        return assign(s, v, settings.*member);
      }
    };
    field.read = [member, read](const Settings& settings) -> std::optional<OptionValue> {
      if constexpr (Traits::kOptional) {
        if (!(settings.*member).has_value()) return std::nullopt;
        return read(*(settings.*member));
      } else {
        return read(settings.*member);
      }
    };
    schema_.options.push_back(std::move(spec));
    fields_.push_back(std::move(field));
    addresses_.push_back(address);
    return Field<DefaultType>(this, schema_.options.size() - 1);
  }

  // A default must pass the checks Bind applies to a given value.
  void CheckDefault(size_t index) {
    const OptionSpec& spec = schema_.options[index];
    if (!spec.default_value) return;
    if (spec.type == OptionType::kEnum && spec.choices.empty()) return;  // Choices() still to come
    Settings scratch{};
    Status st = fields_[index].assign(spec, *spec.default_value, scratch);
    if (!st.ok())
      Fail(option_binding_internal::BindError(
          spec, "default " + option_binding_internal::DescribeValue(*spec.default_value) +
                    " rejected: " + st.message()));
  }

  void Fail(Status st) {
    if (error_.ok()) error_ = std::move(st);
  }

  OptionSchema schema_;
  std::vector<BoundField> fields_;      // parallel to schema_.options
  std::vector<const void*> addresses_;  // of each field's member in *probe_
  std::unique_ptr<Settings> probe_;     // only its member addresses are used
  Status error_ = Status::Ok();
};

}  // namespace bakeoff
