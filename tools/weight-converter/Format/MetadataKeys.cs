namespace NativeCam.Weights.Format;

/// <summary>Keys of the metadata map and of each tensor map, as written in the file.</summary>
internal static class MetadataKeys
{
    public const string Architecture = "architecture";
    public const string Config = "config";
    public const string ClassNames = "class_names";
    public const string Stride = "stride";
    public const string Epoch = "epoch";
    public const string Date = "date";
    public const string Modules = "modules";
    public const string ModuleClass = "class";
    public const string ModuleAttributes = "attributes";
    public const string SourceFile = "source_file";
    public const string SourceSha256 = "source_sha256";
    public const string Source = "source";

    public const string TensorName = "name";
    public const string TensorDType = "dtype";
    public const string TensorShape = "shape";
    public const string TensorData = "data";
}
