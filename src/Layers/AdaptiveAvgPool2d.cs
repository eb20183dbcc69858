using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// nn.AdaptiveAvgPool2d((oh, ow)) for a batch [N, C, H, W]: output cell (i, j) averages input rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1
/// and the same for columns (PyTorch's bins, which overlap or repeat when H is not a multiple of oh). Computed as
/// [N·C, H·W] @ P with P [H·W, oh·ow] the averaging matrix, one per input size, built on first use. An input already
/// of the output size passes through unchanged (VGG at 224).
/// </summary>
public sealed class AdaptiveAvgPool2d(Device device, string path, int outHeight, int outWidth) : Module(path)
{
    readonly Dictionary<(int, int), Var> _matrices = [];

    /// <inheritdoc/>
    public override Var Forward(Var x)
    {
        if (x.Shape is not [var n, var c, var h, var w]) throw new ArgumentException($"AdaptiveAvgPool2d: input {Tensor.Format(x.Shape)} is not a batch of feature maps [N, C, H, W]");
        if (h == outHeight && w == outWidth) return Output(x);
        if (!_matrices.TryGetValue((h, w), out var p)) _matrices[(h, w)] = p = Parameter(device, Matrix(h, w, outHeight, outWidth));
        var y = Ops.MatMul(Ops.Reshape(x, n * c, h * w), p);
        return Output(Ops.Reshape(y, n, c, outHeight, outWidth));
    }

    /// <summary>The averaging matrix [H·W, oh·ow] of PyTorch's adaptive average pooling.</summary>
    public static HostTensor Matrix(int h, int w, int oh, int ow)
    {
        var m = new float[h * w * oh * ow];
        for (int i = 0; i < oh; i++)
        {
            int y0 = i * h / oh, y1 = ((i + 1) * h + oh - 1) / oh;
            for (int j = 0; j < ow; j++)
            {
                int x0 = j * w / ow, x1 = ((j + 1) * w + ow - 1) / ow;
                float v = 1f / ((y1 - y0) * (x1 - x0));
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++) m[(y * w + x) * oh * ow + i * ow + j] = v;
            }
        }
        return new HostTensor(m, [h * w, oh * ow]);
    }
}
