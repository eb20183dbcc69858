using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NativeCam.Tensors;

/// <summary>
/// NumPy's .npy format (version 1.0/2.0) for float32 arrays: the magic "\x93NUMPY", a version, a header
/// length, a Python-dict header ({'descr': '&lt;f4', 'fortran_order': False, 'shape': (..), }) padded to a
/// multiple of 64 bytes, then the little-endian data. Used for `--tensor` inputs, `--dump-maps` outputs
/// and large test fixtures. float64 files ('&lt;f8') are read too and narrowed to float32.
/// </summary>
public static partial class Npy
{
    static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a float32 array with the given shape (to a temp file, renamed at the end).</summary>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        if (Tensor.ShapeLength(shape) != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape {Tensor.Format(shape)}");
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.ToArray());
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - unpadded % 64) % 64) + "\n";
        var tmp = path + ".tmp";
        using (var f = File.Create(tmp))
        {
            f.Write(Magic);
            f.Write([1, 0]);
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
            f.Write(len);
            f.Write(Encoding.ASCII.GetBytes(header));
            var bytes = new byte[data.Length * 4];
            for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
            f.Write(bytes);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a C-ordered little-endian float32 or float64 array; throws InvalidDataException naming the problem.</summary>
    public static (float[] Data, int[] Shape) Read(string path)
    {
        var bytes = RegularFile.ReadAllBytes(path, Array.MaxLength);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a .npy file");
        int major = bytes[6];
        int headerLength, offset;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); offset = 10; }
        else if (major is 2 or 3 && bytes.Length >= 12) { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); offset = 12; }
        else throw new InvalidDataException($"{Path.GetFileName(path)}: unsupported .npy version {major}");
        if (headerLength < 0 || (long)offset + headerLength > bytes.Length)
            throw new InvalidDataException($"{Path.GetFileName(path)}: truncated .npy header");
        string header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        var descr = DescrPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !shapeMatch.Success)
            throw new InvalidDataException($"{Path.GetFileName(path)}: unreadable .npy header");
        if (header.Contains("'fortran_order': True"))
            throw new InvalidDataException($"{Path.GetFileName(path)}: Fortran-ordered arrays are not supported");
        int width = descr.Groups[1].Value switch
        {
            "<f4" => 4,
            "<f8" => 8,
            var d => throw new InvalidDataException($"{Path.GetFileName(path)}: dtype {d} is not float32 or float64"),
        };
        int count = ParseShape(shapeMatch.Groups[1].Value, Path.GetFileName(path), out int[] shape);
        int start = offset + headerLength;
        if ((long)count * width != bytes.Length - start)
            throw new InvalidDataException($"{Path.GetFileName(path)}: {bytes.Length - start} data bytes do not match shape {Tensor.Format(shape)}");
        var data = new float[count];
        for (int i = 0; i < count; i++)
            data[i] = width == 4
                ? BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(start + 4 * i))
                : (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(start + 8 * i));
        return (data, shape);
    }

    /// <summary>The header's shape tuple, e.g. "2, 3": non-negative integers whose product fits an array.</summary>
    static int ParseShape(string tuple, string file, out int[] shape)
    {
        var dims = tuple.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        shape = new int[dims.Length];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (!int.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new InvalidDataException($"{file}: .npy shape ({tuple}) is not a tuple of non-negative integers");
            count *= shape[i]; // both factors are at most int.MaxValue: no overflow
            if (count > Array.MaxLength)
                throw new InvalidDataException($"{file}: .npy shape ({tuple}) has more elements than an array can hold");
        }
        return (int)count;
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
