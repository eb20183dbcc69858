using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// A YOLOv5 of any config with seeded random weights (He-uniform convs, BatchNorm near identity): for
/// benchmarks and architecture checks of variants whose checkpoints are not at hand (yolov5s/m/l/x).
/// </summary>
public static class RandomWeights
{
    public static YoloCheckpoint Checkpoint(YoloConfig config, int seed = 0)
    {
        var random = new Random(seed);
        var weights = StateDict.Generated((name, shape) => new HostTensor(Values(random, name, shape), shape));
        var modules = new Dictionary<string, ModuleInfo>();
        return new YoloCheckpoint(config, weights, modules, []);
    }

    static float[] Values(Random random, string name, int[] shape)
    {
        long size = shape.Aggregate(1L, (a, b) => a * b);
        if (size < 0 || size > Array.MaxLength) throw new InvalidDataException($"{name}: shape [{string.Join(", ", shape)}] is too large to generate");
        int n = (int)size;
        var v = new float[n];
        double fanIn = shape.Length > 1 ? n / shape[0] : 1;
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble() * 2 - 1;
            v[i] = (float)(name.EndsWith("running_var") ? 1 + 0.1 * Math.Abs(u)
                : name.EndsWith("running_mean") || name.EndsWith("bias") ? 0.05 * u
                : name.EndsWith("bn.weight") ? 1 + 0.1 * u
                : u * Math.Sqrt(6 / fanIn));
        }
        return v;
    }
}
