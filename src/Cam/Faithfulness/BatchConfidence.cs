using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam.Faithfulness;

/// <summary>A <see cref="FaithfulnessMetrics.Confidence"/> from a model's forward: the batch uploaded as [B, C, H, W], one
/// forward on an inference tape (nothing recorded), each image's target read from the outputs by the family.</summary>
public static class BatchConfidence
{
    /// <summary><paramref name="read"/>(outputs, b, target) is target's confidence in image b of the batch.</summary>
    public static FaithfulnessMetrics.Confidence From(Device device, Func<Var, Var[]> forward, int channels, int height, int width,
        Func<Var[], int, int, double> read) => batch =>
    {
        int n = channels * height * width;
        var data = new float[batch.Count * n];
        for (int b = 0; b < batch.Count; b++) batch[b].Input.CopyTo(data, b * n);
        using var tape = new Tape { Inference = true };
        using var input = Tensor.FromArray(device, data, [batch.Count, channels, height, width]);
        var outputs = forward(Var.Input(input));
        return Enumerable.Range(0, batch.Count).Select(b => read(outputs, b, batch[b].Target)).ToArray();
    };

    /// <summary>Softmax probability of class <paramref name="target"/> in row <paramref name="row"/> of logits [B, N]
    /// (pytorch-grad-cam's <c>ClassifierOutputSoftmaxTarget</c>), in double.</summary>
    public static double Softmax(float[] logits, int classes, int row, int target)
    {
        double max = double.NegativeInfinity, total = 0;
        for (int i = 0; i < classes; i++) max = Math.Max(max, logits[row * classes + i]);
        for (int i = 0; i < classes; i++) total += Math.Exp(logits[row * classes + i] - max);
        return Math.Exp(logits[row * classes + target] - max) / total;
    }

    /// <summary>A classifier's confidence: the softmax probability of the target class (target = class id) in its logits
    /// [B, N], the forward's first output.</summary>
    public static FaithfulnessMetrics.Confidence Classifier(Device device, Func<Var, Var[]> forward, int channels, int height, int width)
    {
        float[]? logits = null;
        Var[]? seen = null;
        return From(device, forward, channels, height, width, (outputs, b, target) =>
        {
            if (!ReferenceEquals(seen, outputs)) (seen, logits) = (outputs, outputs[0].Value.ToArray()); // one download per batch
            return Softmax(logits!, outputs[0].Shape[^1], b, target);
        });
    }
}
