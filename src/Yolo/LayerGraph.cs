using NativeCam.Autograd;

namespace NativeCam.Yolo;

/// <summary>
/// The forward pass of a YOLO yaml's layer table, shared by YOLOv5 and Ultralytics YOLOv8/YOLO11: each layer reads
/// the outputs its <c>from</c> indices name (−1 the previous layer), Concat joins them along channels, and the last
/// layer — the family's Detect head — takes one input per level and returns the raw outputs.
/// </summary>
public static class LayerGraph
{
    /// <summary>Runs <paramref name="layers"/> on <paramref name="input"/>; <paramref name="head"/> returns, for the
    /// family's Detect layer, its forward over the level inputs, and null for every other layer.</summary>
    public static Var[] Forward(IReadOnlyList<YoloLayer> layers, Var input, Func<YoloLayer, Func<IReadOnlyList<Var>, Var[]>?> head)
    {
        var outputs = new List<Var>(layers.Count);
        var x = input;
        foreach (var layer in layers)
        {
            Var Input(int f) => f == -1 ? x : outputs[f < 0 ? outputs.Count + f : f];
            if (head(layer) is { } detect) return detect(layer.From.Select(Input).ToArray());
            x = layer.Type == "Concat"
                ? Ops.Concat(layer.From.Select(Input).ToArray()).Named(layer.Path)
                : layer.Module!.Forward(Input(layer.From[0]));
            outputs.Add(x);
        }
        throw new InvalidOperationException("unreachable: Build checks that Detect is the last layer");
    }
}
