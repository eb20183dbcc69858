using NativeCam.Layers;

namespace NativeCam.Vit;

/// <summary>
/// A ViT of any configuration with seeded random weights, for benchmarks and architecture checks of sizes
/// whose checkpoints are not at hand (ViT-B/16). Matrices and the patch conv are uniform with variance 2/fan-in,
/// LayerNorm near identity, token and position embeddings small. Optional tensors (biases) stay absent.
/// </summary>
public static class VitRandomWeights
{
    public static VitCheckpoint Checkpoint(VitConfig config, int seed = 0)
    {
        var random = new Random(seed);
        var weights = StateDict.Generated((name, shape) => new HostTensor(Values(random, name, shape), shape));
        return new VitCheckpoint(config.Validate(), weights, VitLayout.Timm);
    }

    static float[] Values(Random random, string name, int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var v = new float[n];
        bool norm = name.EndsWith("norm1.weight") || name.EndsWith("norm2.weight") || name == "norm.weight";
        bool shift = name.EndsWith(".bias");
        bool token = name is "cls_token" or "pos_embed";
        double fanIn = shape.Length > 1 ? n / shape[0] : 1;
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble() * 2 - 1;
            v[i] = (float)(norm ? 1 + 0.1 * u : shift ? 0.02 * u : token ? 0.02 * u : u * Math.Sqrt(6 / fanIn));
        }
        return v;
    }
}
