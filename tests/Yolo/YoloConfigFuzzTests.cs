using System.Collections;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// Random damage to yolov5n's yaml tree (a value dropped, replaced by a hostile one, negated or made huge; one to
/// three per case, fixed seeds): reading the tree and building it on the real weights either works or stops with
/// one InvalidDataException line; nothing else (IndexOutOfRange, NullReference, Overflow, InvalidCast, ...) escapes.
/// </summary>
public class YoloConfigFuzzTests
{
    static readonly object?[] Hostile =
    [
        null, "None", "", "nc", "anchors", "nearest", "x\ny", true, false, 0L, 1L, -1L, 2L, 3L, 7L, -100L, 1_000_000L,
        long.MaxValue, long.MinValue, 0.5, -0.5, 1e9, 1e300, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        new List<object?>(), new List<object?> { 1L }, new List<object?> { -1L, 6L }, new Dictionary<string, object?>(),
    ];

    /// <summary>Every (container, key) position in the tree: dictionary entries and list elements, depth first.</summary>
    static List<(object Container, object Key)> Positions(object? node, List<(object, object)>? into = null)
    {
        into ??= [];
        switch (node)
        {
            case Dictionary<string, object?> d:
                foreach (var (k, v) in d) { into.Add((d, k)); Positions(v, into); }
                break;
            case List<object?> l:
                for (int i = 0; i < l.Count; i++) { into.Add((l, i)); Positions(l[i], into); }
                break;
        }
        return into;
    }

    static string Show(object? o) => o switch
    {
        null => "None",
        IList l => $"list of {l.Count}",
        IDictionary d => $"map of {d.Count}",
        _ => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)!.Replace("\n", "\\n"),
    };

    static string Mutate(Random random, Dictionary<string, object?> tree)
    {
        var positions = Positions(tree);
        var (container, key) = positions[random.Next(positions.Count)];
        object? Get() => container is IList l ? l[(int)key] : ((Dictionary<string, object?>)container)[(string)key];
        void Set(object? v) { if (container is IList l) l[(int)key] = v; else ((Dictionary<string, object?>)container)[(string)key] = v; }
        var old = Get();
        switch (random.Next(4))
        {
            case 0:
                if (container is IList list) list.RemoveAt((int)key); else ((Dictionary<string, object?>)container).Remove((string)key);
                return $"drop {key} (was {Show(old)})";
            case 1:
                var value = Hostile[random.Next(Hostile.Length)];
                Set(value is List<object?> vl ? new List<object?>(vl) : value is Dictionary<string, object?> ? new Dictionary<string, object?>() : value);
                return $"set {key} = {Show(value)}";
            case 2:
                Set(old switch { long v => -v, double v => -v, _ => Hostile[random.Next(Hostile.Length)] });
                return $"negate {key} (was {Show(old)})";
            default:
                Set(old switch { long v => v * 1_000_003L, double v => v * 1e7, _ => 1e18 });
                return $"huge {key} (was {Show(old)})";
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Damaged_yaml_trees_fail_only_with_one_line_invalid_data(int seed)
    {
        var random = new Random(seed);
        int built = 0, refused = 0;
        for (int @case = 0; @case < 120; @case++)
        {
            var tree = YoloYamlTree.Fresh();
            var damage = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Mutate(random, tree)).ToList();
            try
            {
                using var model = YoloModel.Build(TestDevice.Default, YoloYamlTree.WithRealWeights(tree));
                built++;
            }
            catch (InvalidDataException e)
            {
                Assert.False(e.Message.Contains('\n'), $"seed {seed} case {@case} ({string.Join("; ", damage)}): a message of several lines: {e.Message}");
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} case {@case} ({string.Join("; ", damage)}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        Assert.True(refused > 60, $"only {refused} of 120 damaged trees were refused ({built} built)");
    }
}
