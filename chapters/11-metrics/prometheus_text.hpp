/// \file
/// PrometheusText: writes metrics in Prometheus's text exposition format, version 0.0.4.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace vkv::engine {

/// One label of a sample: `name="value"`. Both are borrowed: they must outlive the call.
struct PrometheusLabel {
  std::string_view name;   ///< The label's name, `[a-zA-Z_][a-zA-Z0-9_]*`, not `le`.
  std::string_view value;  ///< Any text; escaped as the format asks, invalid UTF-8 replaced.
};

/// The labels of one sample, borrowed for the call.
using PrometheusLabels = std::span<const PrometheusLabel>;

/// Builds the text a Prometheus server scrapes, one metric family after another:
///
///     # HELP vkv_commands_total Commands run, by command.
///     # TYPE vkv_commands_total counter
///     vkv_commands_total{cmd="get"} 12
///     vkv_commands_total{cmd="set"} 3
///
/// A family is begun with counter(), gauge() or histogram(), which write its `# HELP` and
/// `# TYPE` lines; its samples follow, with sample() or histogram_sample().
///
/// What the writer is asked for comes from the program's own code (the names, the types, the
/// bucket bounds), so asking for something the format cannot say is a bug, and it throws
/// std::logic_error: a metric or label name outside the allowed characters, a counter whose
/// name does not end in `_total` (or another type's that does), an empty help text, a family
/// begun twice, a sample of the wrong type or before any family, histogram buckets that are
/// not cumulative. Label values and help texts are
/// data, so any bytes are accepted and escaped. The caller keeps each series once: the writer
/// does not notice the same label set written twice in a family.
class PrometheusText {
 public:
  /// The Content-Type of the text, for the HTTP response that carries it.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  /// Begins a counter family: a value that only goes up (it restarts at 0 when the process
  /// does). REQUIRES: `name` is a valid metric name ending in `_total`, not begun before;
  /// `help` is not empty (so for gauge() and histogram() too).
  void counter(std::string_view name, std::string_view help);
  /// Begins a gauge family: a value that goes up and down. REQUIRES: `name` is a valid metric
  /// name not ending in `_total`, not begun before.
  void gauge(std::string_view name, std::string_view help);
  /// Begins a histogram family, whose samples are `<name>_bucket`, `<name>_sum` and
  /// `<name>_count`. REQUIRES: `name` is a valid metric name not ending in `_total`, none of
  /// those names begun before.
  void histogram(std::string_view name, std::string_view help);

  /// Writes one sample of the current counter or gauge family. REQUIRES: that family was
  /// the last begun; the labels' names are valid and distinct; a counter's value is not
  /// negative.
  void sample(double value, PrometheusLabels labels = {});
  /// As above, with the labels written in place: `sample(3, {{"cmd", "get"}})`.
  void sample(double value, std::initializer_list<PrometheusLabel> labels);

  /// Writes one series of the current histogram family: a `_bucket` line per upper bound,
  /// with `le` its bound and its value the number of observations at or below it, then the
  /// `le="+Inf"` bucket (all `count` observations), `_sum` and `_count`. `upper_bounds` are in
  /// the family's unit (seconds for a `_seconds` histogram). REQUIRES: a histogram family was
  /// the last begun; the labels are valid, distinct and not `le`; the two spans have the same
  /// length; the bounds are finite and strictly increasing; the counts never decrease and
  /// none exceeds `count`.
  void histogram_sample(PrometheusLabels labels, std::span<const double> upper_bounds,
                        std::span<const std::uint64_t> cumulative_counts, double sum,
                        std::uint64_t count);
  /// As above, with the labels written in place.
  void histogram_sample(std::initializer_list<PrometheusLabel> labels,
                        std::span<const double> upper_bounds,
                        std::span<const std::uint64_t> cumulative_counts, double sum,
                        std::uint64_t count);

  /// The text written so far; the writer is left empty, ready for the next scrape.
  std::string take();

  /// A value as the format writes it: `+Inf`, `-Inf`, `NaN`, an integral value as an integer
  /// (`3`, never `3.0` or `3e+00`), any other as the fewest digits that read back as the same
  /// double (`0.005`, `1.5e-7`).
  static std::string format_value(double value);

 private:
  enum class Type { kNone, kCounter, kGauge, kHistogram };

  // Checks `name` and claims it (and, for a histogram, its three sample names), then writes
  // the family's HELP and TYPE lines.
  void begin(std::string_view name, std::string_view help, Type type);
  // Throws std::logic_error unless every label name is valid, distinct, and not `le` in a
  // histogram.
  void check_labels(PrometheusLabels labels) const;
  // Writes `<family_><suffix>{labels[,le="<le>"]} <value>\n`; `le` empty means none.
  void write_series(std::string_view suffix, PrometheusLabels labels, std::string_view le,
                    std::string_view value);
  // Throws std::logic_error unless the last family begun has type `type`.
  void require_family(Type type, std::string_view what) const;

  std::string out_;
  std::string family_;  // the name of the family being written, "" before the first
  Type type_ = Type::kNone;
  std::set<std::string, std::less<>> claimed_;  // every sample name a family has taken
};

}  // namespace vkv::engine
