using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>Shape checks and the aligned-corner resize taps shared by both backends' Score-CAM mask kernels.</summary>
static class ScoreMaskChecks
{
    /// <summary>Checks A [1, C, h, w] and range [C, 2] for an [height, width] resize; returns C.</summary>
    public static int Range(Tensor a, int height, int width, Tensor range)
    {
        Require(a.Rank == 4 && a.Shape[0] == 1, $"Score-CAM: activation {Tensor.Format(a.Shape)} must be one feature map [1, C, h, w]");
        Require(height > 0 && width > 0 && range.Length == 2 * a.Shape[1], $"Score-CAM: range of {range.Length} for {a.Shape[1]} channels at {height}x{width}");
        return a.Shape[1];
    }

    /// <summary>Checks image [1, 3, H, W], output [B, 3, H, W] and channels first..first+B−1 of A; returns B.</summary>
    public static int Masks(Tensor image, Tensor a, int first, Tensor range, Tensor output)
    {
        Range(a, 1, 1, range);
        Require(image.Rank == 4 && image.Shape[0] == 1 && output.Rank == 4 && output.Shape[1] == image.Shape[1]
            && output.Shape[2] == image.Shape[2] && output.Shape[3] == image.Shape[3],
            $"Score-CAM: masked inputs {Tensor.Format(output.Shape)} must be [B, ..] of the image {Tensor.Format(image.Shape)}");
        Require(first >= 0 && first + output.Shape[0] <= a.Shape[1], $"Score-CAM: channels {first}+{output.Shape[0]} outside {a.Shape[1]}");
        return output.Shape[0];
    }

    /// <summary>
    /// Output index <paramref name="o"/> of an aligned-corner resize from <paramref name="inSize"/> to <paramref name="outSize"/>:
    /// source o·(in − 1)/(out − 1) (0 for one output), its two neighbours and the fraction towards the second (PyTorch's rule).
    /// </summary>
    public static void CornerTap(int o, int inSize, int outSize, out int i0, out int i1, out float frac)
    {
        float src = outSize > 1 ? o * ((float)(inSize - 1) / (outSize - 1)) : 0f;
        i0 = (int)src;
        if (i0 > inSize - 1) i0 = inSize - 1;
        i1 = i0 + 1 < inSize ? i0 + 1 : inSize - 1;
        frac = src - i0;
    }

    static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
