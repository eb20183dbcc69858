using NativeCam.Autograd;
using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// The Detect head: one 1×1 conv per level (P3, P4, P5), each giving na·(nc+5) channels per cell:
/// for every anchor, x, y, w, h, objectness and nc class logits, all before the sigmoid. The raw conv
/// outputs are what the network returns (and what CAM targets are taken from); decoding to boxes is
/// <see cref="DetectDecoder"/>'s job. Outputs are named <c>{path}.m.{i}</c>.
/// </summary>
public sealed class Detect : Module
{
    readonly Conv2d[] _m;

    public Detect(BuildContext ctx, string path, int nc, float[][] anchorsPx, int[] channels) : base(path)
    {
        if (anchorsPx.Length != channels.Length)
            throw new InvalidDataException($"{path}: {anchorsPx.Length} anchor sets for {channels.Length} levels");
        Classes = nc;
        AnchorsPerLevel = anchorsPx[0].Length / 2;
        AnchorsPx = anchorsPx;
        int no = (nc + 5) * AnchorsPerLevel;
        _m = channels.Select((c, i) => Child(new Conv2d(ctx, $"{path}.m.{i}", c, no, (1, 1), (1, 1), (0, 0)))).ToArray();
        // The anchors buffer (grid units) only restates the yaml's pixel anchors; take it so it counts as used.
        ctx.Weights.TakeOptional($"{path}.anchors");
    }

    public int Classes { get; }
    public int AnchorsPerLevel { get; }
    /// <summary>Anchor (w, h) pairs in input pixels, per level, as in the yaml.</summary>
    public float[][] AnchorsPx { get; }
    public int Levels => _m.Length;

    public override Var Forward(Var x) => throw new InvalidOperationException($"{Path}: Detect takes one input per level");

    /// <summary>Runs the per-level output convs.</summary>
    public Var[] Forward(IReadOnlyList<Var> levels) => _m.Select((m, i) => m.Forward(levels[i])).ToArray();
}
