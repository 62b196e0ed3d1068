// Inline SVG charts for report.html: no script, no external resources.
//
// Rules every chart keeps (issue 9, "charts that do not mislead"): a linear axis over values that cannot
// be negative never goes below 0 (whiskers are clipped there too); linear ticks fall on round steps
// (1, 2 or 5 x 10^k) and carry one unit chosen for the whole axis ("0 ms", "5 ms", "10 ms", never "0 ns"
// beside "5 ms"); a log axis has a tick at every power of ten; the legend sits under the plot in as many
// columns as fit and never cuts a label; series beyond the palette's colors are told apart by dashes.
// Each <svg> scales to the width of the page (viewBox, width 100%).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bakeoff {

struct ChartSeries {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y) in axis units
};

// How a linear axis's round ticks are labelled: one unit for the whole axis, chosen from its largest tick.
enum class AxisUnit {
  kPlain,       // `format` per tick (or the number)
  kDurationNs,  // values in ns: labelled in ns, us, ms or s
  kSeconds,     // values in seconds: "0 s", "5 s"
  kCount,       // plain counts: "0", "5 k", "1.5 M"
};

struct ChartAxis {
  std::string title;
  std::function<std::string(double)> format;  // tick label on log axes and kPlain linear axes
  // Fixed ticks (value, label); empty = round ticks from the data range.
  std::vector<std::pair<double, std::string>> ticks;
  bool from_zero = true;  // y only: start the axis at 0
  // y only: a logarithmic axis (values <= 0 are left out) with a tick at every power of ten the data
  // spans, labelled by `format`; for latencies, which differ by 1000x between systems.
  bool log = false;
  AxisUnit unit = AxisUnit::kPlain;
};

// A shaded stretch of the x axis (warm-up, drain), labelled at its top.
struct ChartBand {
  double from = 0, to = 0;
  std::string label;
  std::string css_class;  // "warmup" or "drain": the fill comes from the page's style
};

// A dashed horizontal line across the plot (the target rate), labelled at its right end.
struct ChartLine {
  double y = 0;
  std::string label;
};

struct ChartDecorations {
  std::vector<ChartBand> bands;
  std::vector<ChartLine> lines;
};

// A line chart with one polyline per series and a legend. `id` becomes the <svg> element's id.
std::string LineChartSvg(const std::string& id, const std::string& title,
                         const std::vector<ChartSeries>& series, const ChartAxis& x, const ChartAxis& y,
                         const ChartDecorations& decorations = {});

struct BarValue {
  std::string series;  // e.g. the system; one color per series
  double mean = 0;
  double low = 0;  // whisker (95% interval); equal to mean when there is none
  double high = 0;
};

struct BarGroup {
  std::string label;  // e.g. the matrix point
  std::vector<BarValue> bars;
};

// Grouped bars with confidence whiskers (clipped at 0). On a log axis (`y.log`, for latencies) a bar's
// length would mean nothing, so each value is a dot with its whisker instead.
std::string BarChartSvg(const std::string& id, const std::string& title, const std::vector<BarGroup>& groups,
                        const ChartAxis& y);

// Escapes text for HTML and SVG.
std::string HtmlEscape(const std::string& text);

// The style rules the charts' classes need (a, l, t, g, warmup, drain, target), for the page's <style>.
const char* ChartStyle();

}  // namespace bakeoff
