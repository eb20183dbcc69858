using System.Globalization;
using System.Numerics;
using NativeCam.Weights.Pickle;

namespace NativeCam.Weights.Torch;

/// <summary>
/// Turns unpickled config values (a YOLOv5 yaml dict, its names) into plain data that MessagePack
/// and JSON can hold: null, bool, long, double, string, List&lt;object?&gt; and
/// Dictionary&lt;string, object?&gt;. Anything else becomes a descriptive string.
/// </summary>
public static class PlainValues
{
    public static object? From(object? value, int depth = 0)
    {
        if (depth > 64) return "<nested too deep>";
        return value switch
        {
            null or bool or long or double or string => value,
            BigInteger big => big.ToString(CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToHexString(bytes),
            List<object?> list => list.Select(v => From(v, depth + 1)).ToList(),
            PyTuple tuple => tuple.Items.Select(v => From(v, depth + 1)).ToList(),
            PySet set => set.Items.Select(v => From(v, depth + 1)).ToList(),
            PyDict dict => FromDict(dict, depth),
            _ => PickleMachine.Describe(value),
        };
    }

    private static Dictionary<string, object?> FromDict(PyDict dict, int depth)
    {
        var plain = new Dictionary<string, object?>();
        foreach (var (k, v) in dict.Entries) plain[KeyText(k)] = From(v, depth + 1);
        return plain;
    }

    public static string KeyText(object key) => key switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => PickleMachine.Describe(key),
    };
}
