#include "11-metrics/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "09-resp/resp_writer.hpp"

namespace vkv::engine {

namespace {

[[noreturn]] void bug(const std::string& what) {
  throw std::logic_error("PrometheusText: " + what);
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. A label name is the same without the colons,
// which Prometheus keeps for the names its recording rules make.
bool valid_name(std::string_view name, bool colons) {
  if (name.empty() || is_digit(name.front())) return false;
  for (char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '_' && !(colons && c == ':')) return false;
  }
  return true;
}

void check_metric_name(std::string_view name) {
  if (!valid_name(name, /*colons=*/true)) bug("bad metric name '" + std::string(name) + "'");
}

// The length of the well-formed UTF-8 character at the start of `s`, or 0 if the bytes there
// are not one (a stray continuation byte, a truncated or overlong sequence, a surrogate).
std::size_t utf8_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t n;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) low = 0xA0;   // not overlong
    if (lead == 0xED) high = 0x9F;  // not a surrogate
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) low = 0x90;   // not overlong
    if (lead == 0xF4) high = 0x8F;  // not past U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

// Appends `text` with a backslash before each backslash (and each double quote, when
// `quotes`), newlines as `\n`, and each byte that is not part of well-formed UTF-8 replaced
// by U+FFFD: Prometheus refuses a scrape with invalid UTF-8 in it.
void append_escaped(std::string* out, std::string_view text, bool quotes) {
  while (!text.empty()) {
    const char c = text.front();
    const std::size_t n = utf8_length(text);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");
      text.remove_prefix(1);
      continue;
    }
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quotes) {
      out->append("\\\"");
    } else {
      out->append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
}

std::string format_count(std::uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  return std::string(digits, end);
}

}  // namespace

std::string PrometheusText::format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Inf" : "+Inf";
  // Redis's digits are what Prometheus reads too: integers without an exponent, the rest
  // as the shortest round trip (`1.5e-7`, which Go's ParseFloat takes).
  return protocol::format_double(value);
}

void PrometheusText::counter(std::string_view name, std::string_view help) {
  if (!name.ends_with("_total")) bug("counter '" + std::string(name) + "' must end in _total");
  begin(name, help, Type::kCounter);
}

void PrometheusText::gauge(std::string_view name, std::string_view help) {
  begin(name, help, Type::kGauge);
}

void PrometheusText::histogram(std::string_view name, std::string_view help) {
  begin(name, help, Type::kHistogram);
}

void PrometheusText::begin(std::string_view name, std::string_view help, Type type) {
  check_metric_name(name);
  // `_total` says "counter" to whoever reads the name, so only a counter may end in it.
  if (type != Type::kCounter && name.ends_with("_total")) {
    bug("only a counter's name ends in _total: '" + std::string(name) + "'");
  }
  if (help.empty()) bug("metric '" + std::string(name) + "' has no help text");
  // The family's name and every name its samples take: one taken twice would make two
  // families of one series, which Prometheus refuses.
  std::vector<std::string> names{std::string(name)};
  if (type == Type::kHistogram) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      names.push_back(std::string(name).append(suffix));
    }
  }
  for (const std::string& n : names) {
    if (claimed_.contains(n)) bug("metric '" + n + "' written twice");
  }
  claimed_.insert(names.begin(), names.end());

  static constexpr std::string_view kTypeNames[] = {"", "counter", "gauge", "histogram"};
  family_ = name;
  type_ = type;
  out_.append("# HELP ").append(name).push_back(' ');
  append_escaped(&out_, help, /*quotes=*/false);
  out_.append("\n# TYPE ").append(name).push_back(' ');
  out_.append(kTypeNames[static_cast<int>(type)]).push_back('\n');
}

void PrometheusText::require_family(Type type, std::string_view what) const {
  if (type_ != type) bug(std::string(what) + " without its family begun first");
}

void PrometheusText::check_labels(PrometheusLabels labels) const {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string_view name = labels[i].name;
    if (!valid_name(name, /*colons=*/false)) bug("bad label name '" + std::string(name) + "'");
    if (type_ == Type::kHistogram && name == "le") bug("'le' is the bucket's label");
    for (std::size_t j = 0; j < i; ++j) {
      if (labels[j].name == name) bug("label '" + std::string(name) + "' twice");
    }
  }
}

void PrometheusText::sample(double value, PrometheusLabels labels) {
  if (type_ != Type::kCounter) require_family(Type::kGauge, "sample()");
  check_labels(labels);
  if (type_ == Type::kCounter && value < 0) bug("counter '" + family_ + "' went negative");
  write_series("", labels, "", format_value(value));
}

void PrometheusText::sample(double value, std::initializer_list<PrometheusLabel> labels) {
  sample(value, PrometheusLabels(labels.begin(), labels.size()));
}

//! [histogram-sample]
void PrometheusText::histogram_sample(PrometheusLabels labels,
                                      std::span<const double> upper_bounds,
                                      std::span<const std::uint64_t> cumulative_counts,
                                      double sum, std::uint64_t count) {
  require_family(Type::kHistogram, "histogram_sample()");
  check_labels(labels);
  if (upper_bounds.size() != cumulative_counts.size()) bug("one count per bucket bound");
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i])) bug("bucket bounds are finite: +Inf is added");
    if (i > 0 && upper_bounds[i] <= upper_bounds[i - 1]) bug("bucket bounds must increase");
    // Cumulative: each bucket counts every observation at or below its bound, so the counts
    // never go down, and the last bucket (+Inf) holds them all.
    if (i > 0 && cumulative_counts[i] < cumulative_counts[i - 1]) bug("buckets are cumulative");
    if (cumulative_counts[i] > count) bug("a bucket holds more than _count");
  }
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    write_series("_bucket", labels, format_value(upper_bounds[i]),
                 format_count(cumulative_counts[i]));
  }
  write_series("_bucket", labels, "+Inf", format_count(count));
  write_series("_sum", labels, "", format_value(sum));
  write_series("_count", labels, "", format_count(count));
}
//! [histogram-sample]

void PrometheusText::histogram_sample(std::initializer_list<PrometheusLabel> labels,
                                      std::span<const double> upper_bounds,
                                      std::span<const std::uint64_t> cumulative_counts,
                                      double sum, std::uint64_t count) {
  histogram_sample(PrometheusLabels(labels.begin(), labels.size()), upper_bounds,
                   cumulative_counts, sum, count);
}

void PrometheusText::write_series(std::string_view suffix, PrometheusLabels labels,
                                  std::string_view le, std::string_view value) {
  out_.append(family_).append(suffix);
  if (!labels.empty() || !le.empty()) {
    out_.push_back('{');
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const PrometheusLabel& label = labels[i];
      if (i > 0) out_.push_back(',');
      out_.append(label.name).append("=\"");
      append_escaped(&out_, label.value, /*quotes=*/true);
      out_.push_back('"');
    }
    if (!le.empty()) {
      if (!labels.empty()) out_.push_back(',');
      out_.append("le=\"").append(le).push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
  out_.append(value).push_back('\n');
}

std::string PrometheusText::take() {
  std::string text = std::move(out_);
  out_.clear();
  family_.clear();
  type_ = Type::kNone;
  claimed_.clear();
  return text;
}

}  // namespace vkv::engine
