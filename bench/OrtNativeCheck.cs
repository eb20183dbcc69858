using NativeCam.Autograd;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Bench;

/// <summary>
/// <c>ort-check</c>'s second half for the models NativeCam reads from bench/onnx/ itself (the Ultralytics training
/// saves): NativeCam's raw Detect levels on the exported input against PyTorch's, so both sides of the timing run the
/// very same weights.
/// </summary>
public static partial class OrtBench
{
    static bool CheckNative(string dir, string name, string[] files)
    {
        var entry = ModelEntry(dir, name);
        using var device = BenchDevice.Open("cpu");
        using var detector = YoloDetector.LoadAny(device, Path.Combine(dir, entry["state_dict"]!.GetValue<string>()));
        int[] shape = entry["input"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
        using var input = Tensor.FromArray(device, ReadFloats(Path.Combine(dir, entry["input_file"]!.GetValue<string>())), shape);
        using var tape = new Tape { Inference = true };
        var outputs = detector.Forward(input);
        bool ok = outputs.Length == files.Length;
        for (int i = 0; i < Math.Min(outputs.Length, files.Length); i++)
        {
            var expected = ReadFloats(Path.Combine(dir, files[i]));
            var actual = outputs[i].Value.ToArray();
            if (expected.Length != actual.Length)
                throw new InvalidDataException($"{name} out{i}: NativeCam gave {actual.Length} values, PyTorch {expected.Length}");
            double maxDiff = 0, maxRef = 0;
            for (int j = 0; j < expected.Length; j++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(expected[j] - actual[j]));
                maxRef = Math.Max(maxRef, Math.Abs(expected[j]));
            }
            bool pass = maxRef > 0 && maxDiff <= 1e-4 * maxRef + 1e-6; // the tolerance ORT gets
            ok &= pass;
            Console.WriteLine($"  {name,-13} out{i} NativeCam [{expected.Length,8} values] max abs diff {maxDiff:E2} (max |PyTorch| {maxRef:F2}) {(pass ? "ok" : "FAIL")}");
        }
        return ok;
    }
}
