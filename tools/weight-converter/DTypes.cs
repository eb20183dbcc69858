namespace NativeCam.Weights;

/// <summary>
/// Element types, named as PyTorch names them ("float32", "float16", "int64", ...). The same names
/// appear in the weight file, so a reader in any language can map them.
/// </summary>
public static class DTypes
{
    public const string Float32 = "float32";
    public const string Float16 = "float16";
    public const string BFloat16 = "bfloat16";
    public const string Float64 = "float64";
    public const string Int64 = "int64";
    public const string Int32 = "int32";
    public const string Int16 = "int16";
    public const string Int8 = "int8";
    public const string UInt8 = "uint8";
    public const string Bool = "bool";

    /// <summary>Bytes per element; throws for a name that is not one of the above.</summary>
    public static int SizeOf(string dtype) => dtype switch
    {
        Float64 or Int64 => 8,
        Float32 or Int32 => 4,
        Float16 or BFloat16 or Int16 => 2,
        Int8 or UInt8 or Bool => 1,
        _ => throw new WeightFormatException($"unknown dtype '{dtype}'"),
    };

    public static bool IsKnown(string dtype) => dtype is Float32 or Float16 or BFloat16 or Float64
        or Int64 or Int32 or Int16 or Int8 or UInt8 or Bool;

    /// <summary>The dtype of a typed storage class named in a checkpoint, e.g. torch.HalfStorage -> float16.</summary>
    public static string? FromStorageClass(string module, string name) => module != "torch" ? null : name switch
    {
        "FloatStorage" => Float32,
        "HalfStorage" => Float16,
        "BFloat16Storage" => BFloat16,
        "DoubleStorage" => Float64,
        "LongStorage" => Int64,
        "IntStorage" => Int32,
        "ShortStorage" => Int16,
        "CharStorage" => Int8,
        "ByteStorage" => UInt8,
        "BoolStorage" => Bool,
        _ => null,
    };
}
