namespace NativeCam.Weights.Safetensors;

/// <summary>safetensors' dtype codes for the element types NativeCam keeps (<see cref="DTypes"/>).</summary>
public static class SafetensorsDTypes
{
    /// <summary>"F32" → "float32", ...; null for a code NativeCam does not read (U16, U32, U64, F8_*).</summary>
    public static string? FromCode(string code) => code switch
    {
        "F64" => DTypes.Float64,
        "F32" => DTypes.Float32,
        "F16" => DTypes.Float16,
        "BF16" => DTypes.BFloat16,
        "I64" => DTypes.Int64,
        "I32" => DTypes.Int32,
        "I16" => DTypes.Int16,
        "I8" => DTypes.Int8,
        "U8" => DTypes.UInt8,
        "BOOL" => DTypes.Bool,
        _ => null,
    };
}
