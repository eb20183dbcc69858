using System.Text.RegularExpressions;

namespace NativeCam.Weights.Torch;

/// <summary>
/// Brings state_dict names found in the wild to the names today's models use:
/// <list type="bullet">
/// <item>DataParallel / DistributedDataParallel's <c>module.</c> in front of every name is taken off
/// (only when every name has it, as a wrapped model's state_dict does);</item>
/// <item>torchvision's original DenseNet downloads name a dense layer's parts <c>norm.1</c>, <c>relu.1</c>,
/// <c>conv.1</c>, <c>norm.2</c>, ... where the model now says <c>norm1</c>, <c>conv2</c>; they are renamed
/// as torchvision's own DenseNet loader does.</item>
/// </list>
/// </summary>
public static partial class StateDictNames
{
    public const string ParallelPrefix = "module.";

    /// <summary>The normalised tensors, the prefix taken off (or null) and how many names were renamed.</summary>
    public sealed record Result(IReadOnlyList<NamedTensor> Tensors, string? StrippedPrefix, int Renamed);

    public static Result Normalise(IReadOnlyList<NamedTensor> tensors, string source)
    {
        bool strip = tensors.Count > 0 && tensors.All(t => t.Name.StartsWith(ParallelPrefix, StringComparison.Ordinal));
        var result = new List<NamedTensor>(tensors.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int renamed = 0;
        foreach (var (name, tensor) in tensors)
        {
            string stripped = strip ? name[ParallelPrefix.Length..] : name;
            string current = DenseNetName(stripped);
            if (!ReferenceEquals(current, stripped)) renamed++;
            if (!seen.Add(current)) throw new WeightFormatException($"{source} holds two tensors named '{current}' (one as '{name}')");
            result.Add(new NamedTensor(current, tensor));
        }
        return new Result(result, strip ? ParallelPrefix : null, renamed);
    }

    /// <summary>
    /// <c>features.denseblock1.denselayer1.norm.1.weight</c> → <c>features.denseblock1.denselayer1.norm1.weight</c>;
    /// any other name is returned as the same string instance.
    /// </summary>
    public static string DenseNetName(string name)
    {
        if (!name.Contains("denselayer", StringComparison.Ordinal)) return name;
        var m = OldDenseNetKey().Match(name);
        return m.Success ? m.Groups[1].Value + m.Groups[2].Value : name;
    }

    [GeneratedRegex(@"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex OldDenseNetKey();
}
