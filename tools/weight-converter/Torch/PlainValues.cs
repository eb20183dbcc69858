using System.Globalization;
using System.Numerics;
using NativeCam.Weights.Pickle;

namespace NativeCam.Weights.Torch;

/// <summary>
/// Turns unpickled config values (a YOLOv5 yaml dict, its names) into plain data that MessagePack
/// and JSON can hold: null, bool, long, double, string, List&lt;object?&gt; and
/// Dictionary&lt;string, object?&gt;. Anything else becomes a descriptive string. Shared or
/// cyclic containers (possible through the pickle memo) are cut off by a depth limit and a total
/// budget, so a hostile config cannot expand exponentially.
/// </summary>
public static class PlainValues
{
    public const int MaxDepth = 64;
    public const int MaxValues = 1_000_000;

    public static object? From(object? value)
    {
        int budget = MaxValues;
        return From(value, 0, ref budget);
    }

    private static object? From(object? value, int depth, ref int budget)
    {
        if (--budget < 0) throw new WeightFormatException($"model config holds more than {MaxValues} values (hostile?)");
        if (depth > MaxDepth) return "<nested too deep>";
        switch (value)
        {
            case List<object?> list: return FromItems(list, depth, ref budget);
            case PyTuple tuple: return FromItems(tuple.Items, depth, ref budget);
            case PySet set: return FromItems(set.Items, depth, ref budget);
            case PyDict dict:
            {
                var plain = new Dictionary<string, object?>();
                foreach (var (k, v) in dict.Entries) plain[KeyText(k)] = From(v, depth + 1, ref budget);
                return plain;
            }
        }
        return value switch
        {
            null or bool or long or double or string => value,
            BigInteger big => big.ToString(CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToHexString(bytes),
            _ => PickleMachine.Describe(value),
        };
    }

    private static List<object?> FromItems(IEnumerable<object?> items, int depth, ref int budget)
    {
        var plain = new List<object?>();
        foreach (var item in items) plain.Add(From(item, depth + 1, ref budget));
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
