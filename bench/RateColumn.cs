using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NativeCam.Bench;

/// <summary>
/// A computed BenchmarkDotNet column: <paramref name="value"/> of a case and its time statistics (GFLOP/s = flop
/// per nanosecond, % of peak, ...), "-" where the case has no result. The suites' GFLOP/s columns are all this.
/// </summary>
sealed class RateColumn(string id, string name, string legend, Func<BenchmarkCase, Statistics, double> value, string format = "F1") : IColumn
{
    public string Id => id;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        return stats is null ? "-" : value(benchmarkCase, stats).ToString(format);
    }
}
