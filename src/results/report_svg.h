// Inline SVG charts for report.html: no script, no external resources.
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

struct ChartAxis {
  std::string title;
  std::function<std::string(double)> format;  // tick label
  // Fixed ticks (value, label); empty = 5 evenly spaced ticks from the data range.
  std::vector<std::pair<double, std::string>> ticks;
  bool from_zero = true;  // y only: start the axis at 0
  // y only: a logarithmic axis (values <= 0 are left out) with a tick at every power of ten the data
  // spans, labelled by `format`; for latencies, which differ by 1000x between systems.
  bool log = false;
};

// A line chart with one polyline per series and a legend. `id` becomes the <svg> element's id.
std::string LineChartSvg(const std::string& id, const std::string& title,
                         const std::vector<ChartSeries>& series, const ChartAxis& x, const ChartAxis& y);

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

// Grouped bars with confidence whiskers.
std::string BarChartSvg(const std::string& id, const std::string& title, const std::vector<BarGroup>& groups,
                        const ChartAxis& y);

// Escapes text for HTML and SVG.
std::string HtmlEscape(const std::string& text);

}  // namespace bakeoff
