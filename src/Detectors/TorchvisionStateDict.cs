using NativeCam.Layers;

namespace NativeCam.Detectors;

/// <summary>
/// A torchvision detector's state dict split for building: the ResNet body's tensors (<c>backbone.body.*</c>, keyed
/// without that prefix) and the rest; <see cref="ThrowIfUnused"/> then refuses a file with tensors neither part's
/// modules took.
/// </summary>
sealed class TorchvisionStateDict
{
    const string BodyPrefix = "backbone.body.";

    /// <summary>The body's tensors, keyed as <c>ResNet.Body</c> reads them.</summary>
    public StateDict Body { get; }

    /// <summary>The body's tensor shapes, by the same keys.</summary>
    public IReadOnlyDictionary<string, int[]> BodyShapes { get; }

    /// <summary>Every other tensor (FPN, heads), under its full key.</summary>
    public StateDict Rest { get; }

    /// <summary>Splits <paramref name="tensors"/> into body and rest.</summary>
    public TorchvisionStateDict(IReadOnlyDictionary<string, HostTensor> tensors)
    {
        static bool InBody(string key) => key.StartsWith(BodyPrefix, StringComparison.Ordinal);
        Body = new StateDict(tensors.Where(p => InBody(p.Key)).Select(p => KeyValuePair.Create(p.Key[BodyPrefix.Length..], p.Value)));
        Rest = new StateDict(tensors.Where(p => !InBody(p.Key)));
        BodyShapes = tensors.Where(p => InBody(p.Key)).ToDictionary(p => p.Key[BodyPrefix.Length..], p => p.Value.Shape, StringComparer.Ordinal);
    }

    /// <summary>Once the model is built: if any tensor went unused, calls <paramref name="dispose"/> and throws naming up to six.</summary>
    public void ThrowIfUnused(string arch, Action dispose)
    {
        var unused = Body.Unused.Select(k => BodyPrefix + k).Concat(Rest.Unused).ToList();
        if (unused.Count == 0) return;
        dispose();
        throw new InvalidDataException($"{arch} checkpoint has {unused.Count} tensor(s) this model does not use: " +
            $"{string.Join(", ", unused.Take(6))}{(unused.Count > 6 ? ", ..." : "")}");
    }
}
