using NativeCam.Autograd;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cam.Yolo;

/// <summary>
/// detect-cam's <c>--target-mode match-box</c> on YOLOv5: pytorch-grad-cam's <c>FasterRCNNBoxScoreTarget</c>
/// (<see cref="BoxMatchScore"/>) as one target. Each reference box was matched to this forward's detections (best IoU
/// above 0.5, same class); the score is s = Σ over the matches of IoU(reference, b_j) + score_j, b_j the match's box as
/// decoded from its own prediction (level, anchor, cell) and score_j its logit, objectness or confidence (--score; pytorch-
/// grad-cam's Faster R-CNN score is a probability: --score conf). One map for all reference boxes, as theirs.
/// </summary>
public sealed class MatchBoxTargets(IReadOnlyList<(YoloTarget Match, Box Reference)> matches, CamScore score) : ICamTargets
{
    /// <summary>The matched detections (as targets at their own cell) and the reference box each was matched to, in input pixels.</summary>
    public IReadOnlyList<(YoloTarget Match, Box Reference)> Matches { get; } = matches;

    /// <summary>The score added to each match's IoU.</summary>
    public CamScore Score { get; } = score;

    /// <summary>One target when anything matched, else none (no map).</summary>
    public int Count => Matches.Count > 0 ? 1 : 0;

    /// <summary>The matches of <paramref name="references"/> (input pixels, class) among <paramref name="detections"/>, as
    /// <see cref="BoxMatchScore.Matches"/> finds them; also each reference's matched detection index (−1: none).</summary>
    public static (MatchBoxTargets Targets, int[] Matched) Find(IReadOnlyList<(Box Box, int ClassId)> references, IReadOnlyList<Detection> detections,
        CamScore score, double threshold = BoxMatchScore.DefaultThreshold)
    {
        var m = BoxMatchScore.Matches(references.Select(r => r.Box).ToArray(), references.Select(r => r.ClassId).ToArray(),
            detections.Select(d => d.InputBox).ToArray(), detections.Select(d => d.ClassId).ToArray(), threshold);
        var matches = m.Select((j, r) => (j, r)).Where(x => x.j >= 0).Select(x => (YoloTarget.From(detections[x.j]), references[x.r].Box)).ToArray();
        return (new MatchBoxTargets(matches, score), m);
    }
}

/// <summary>YOLOv5's adapter for <see cref="MatchBoxTargets"/>: the model, layers and scores of <see cref="YoloCamAdapter"/>;
/// the seed ∂s/∂output written on the host: at each match's cell the one-cell seed of its score, plus the IoU's gradient
/// (<see cref="BoxMatchScore.IoUGradient"/>) carried through YOLOv5's box decoding to the four box channels.</summary>
public sealed class MatchBoxAdapter(YoloCamAdapter inner) : ICamAdapter<MatchBoxTargets>
{
    int _inputHeight;

    /// <inheritdoc/>
    public Var[] Forward(Var input)
    {
        _inputHeight = input.Shape[2];
        return inner.Forward(input);
    }

    /// <inheritdoc/>
    public string NormalizeLayer(string name) => inner.NormalizeLayer(name);

    /// <inheritdoc/>
    public string LayerHint => inner.LayerHint;

    /// <inheritdoc/>
    public IReadOnlyList<string> DefaultLayers => inner.DefaultLayers;

    /// <inheritdoc/>
    public IReadOnlyList<string> TargetLayers(Var[] outputs, MatchBoxTargets targets) => [inner.AutoLayer(targets.Matches[0].Match.Level)];

    /// <inheritdoc/>
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, MatchBoxTargets targets)
    {
        var head = inner.Model.Head;
        int no = head.Classes + 5;
        var seeds = new List<(Var, Tensor)>();
        foreach (var level in targets.Matches.Select(m => m.Match.Level).Distinct().Order())
        {
            var o = outputs[level];
            var data = o.Value.ToArray();
            int ny = o.Shape[2], nx = o.Shape[3], plane = ny * nx;
            float stride = (float)_inputHeight / ny;
            var seed = new float[data.Length];
            foreach (var (t, reference) in targets.Matches.Where(m => m.Match.Level == level))
            {
                int c0 = t.Anchor * no, p = t.GridY * nx + t.GridX;
                BoxSeeds.Write(seed, data, targets.Score, c0, t.ClassId, p, plane, 1f);
                foreach (var (channel, g) in BoxGradient(data, c0, p, plane, nx, stride, head.AnchorsPx[level][2 * t.Anchor], head.AnchorsPx[level][2 * t.Anchor + 1], reference))
                    seed[channel] += (float)g;
            }
            seeds.Add((o, Tensor.FromArray(o.Device, seed, [1, .. o.Shape])));
        }
        return seeds;
    }

    /// <summary>∂IoU(reference, decode(prediction))/∂(tx, ty, tw, th) of the prediction at anchor block c0, pixel p, as
    /// (flat index, value): cx = (2σ(tx) − 0.5 + gx)·stride, w = (2σ(tw))²·anchor w, x1,2 = cx ∓ w/2 (y and h alike).</summary>
    public static IEnumerable<(int Index, double Value)> BoxGradient(ReadOnlySpan<float> o, int c0, int p, int plane, int nx, float stride,
        float anchorW, float anchorH, Box reference)
    {
        var box = BoxSeeds.Decode(o, c0, p, plane, nx, stride, anchorW, anchorH);
        var g = BoxMatchScore.IoUGradient(reference, box);
        var result = new (int, double)[4];
        for (int axis = 0; axis < 2; axis++)
        {
            double sc = BoxSeeds.Sigmoid(o[(c0 + axis) * plane + p]), ss = BoxSeeds.Sigmoid(o[(c0 + 2 + axis) * plane + p]);
            double dCentre = 2 * sc * (1 - sc) * stride, dSize = 2 * (2 * ss) * 2 * ss * (1 - ss) * (axis == 0 ? anchorW : anchorH);
            result[axis] = ((c0 + axis) * plane + p, (g[axis] + g[axis + 2]) * dCentre);
            result[axis + 2] = ((c0 + 2 + axis) * plane + p, (g[axis + 2] - g[axis]) / 2 * dSize);
        }
        return result;
    }
}
