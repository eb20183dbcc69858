namespace NativeCam.Tensors;

/// <summary>
/// Reading a file a user named, safely. Only regular files with data are read: a pipe would block forever, a device
/// such as /dev/zero never ends, and both report a size of 0 — so an empty size is refused before anything is
/// opened (a symbolic link is judged by what it finally points to). The read stops at the size the file had
/// when checked and at <c>maxBytes</c>, so no file makes a read unbounded.
/// </summary>
public static class RegularFile
{
    /// <summary>The size of the regular file at <paramref name="path"/>; a missing one throws
    /// <see cref="FileNotFoundException"/>, a folder, an empty file, a pipe or a device <see cref="InvalidDataException"/>.</summary>
    public static long Size(string path)
    {
        string name = Path.GetFileName(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"{name} is a folder, not a file");
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget != null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        if (info is DirectoryInfo) throw new InvalidDataException($"{name} is a folder, not a file");
        if (!info.Exists) throw new FileNotFoundException($"no such file: {path}", path);
        long size = ((FileInfo)info).Length;
        if (size == 0) throw new InvalidDataException($"{name} is empty, or not a regular file (a pipe, socket or device)");
        return size;
    }

    /// <summary>All bytes of the regular file at <paramref name="path"/>, refused when larger than <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        long size = Size(path);
        if (size > maxBytes)
            throw new InvalidDataException($"{Path.GetFileName(path)} is {size:N0} bytes, over the limit of {maxBytes:N0}");
        var bytes = new byte[size];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        int read = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        return read == bytes.Length ? bytes : bytes[..read]; // shrank since checked: what is there
    }
}
