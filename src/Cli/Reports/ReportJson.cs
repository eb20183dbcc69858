using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeCam.Cli.Reports;

/// <summary>The JSON settings of every report: snake_case keys, indented, nulls kept (a key always exists).</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
