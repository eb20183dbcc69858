namespace NativeCam.Imaging.Jpeg;

/// <summary>The SOS segment: which components and tables the scan uses, checked as libjpeg checks them,
/// then the entropy-coded data that follows it.</summary>
sealed partial class JpegParser
{
    /// <summary>Decodes the scan whose header is <paramref name="s"/> and whose data starts at
    /// <paramref name="dataStart"/>; returns where to look for the next marker.</summary>
    int ReadScan(ReadOnlySpan<byte> s, int dataStart)
    {
        var frame = Frame ?? throw Corrupt("scan before the frame header");
        if (s.Length < 1) throw Corrupt("SOS");
        int count = s[0];
        if (count is < 1 or > 4 || s.Length < 4 + 2 * count) throw Corrupt("SOS");
        var components = new JpegComponent[count];
        for (int i = 0; i < count; i++)
        {
            int id = s[1 + 2 * i], tables = s[2 + 2 * i];
            int index = Array.FindIndex(frame.Components, c => c.Id == id);
            if (index < 0 || components.Contains(frame.Components[index]) || tables >> 4 > 3 || (tables & 15) > 3)
                throw Corrupt("SOS component");
            var c = components[i] = frame.Components[index];
            c.DcTable = tables >> 4;
            c.AcTable = tables & 15;
            c.Quant ??= _quant[c.QuantTableIndex] ?? throw Corrupt($"scan: quantisation table {c.QuantTableIndex} undefined");
            _scanned[index] = true;
        }
        if (count > 1 && components.Sum(c => c.H * c.V) > 10) throw Corrupt("SOS (more than 10 blocks per MCU)");
        int ss = s[1 + 2 * count], se = s[2 + 2 * count], ah = s[3 + 2 * count] >> 4, al = s[3 + 2 * count] & 15;

        var bits = new BitReader(data, dataStart);
        EntropyScan scan;
        if (!frame.Progressive)
        {
            // libjpeg ignores Ss/Se/Ah/Al of a sequential scan (with a warning); so do we.
            foreach (var c in components) { Table(_dc, c.DcTable, dc: true); Table(_ac, c.AcTable, dc: false); }
            scan = new SequentialScan(frame, components, _restartInterval, bits, _dc, _ac);
        }
        else
        {
            CheckProgression(components, ss, se, ah, al);
            foreach (var c in components)
                if (ss == 0 && ah == 0) Table(_dc, c.DcTable, dc: true);
                else if (ss > 0) Table(_ac, c.AcTable, dc: false);
            scan = new ProgressiveScan(frame, components, _restartInterval, bits, _dc, _ac, ss, se, ah, al);
        }
        scan.Decode();
        return bits.Position;
    }

    /// <summary>The spectral-selection / successive-approximation rules of libjpeg's progressive decoder,
    /// and its record of the bits each coefficient has received.</summary>
    void CheckProgression(JpegComponent[] components, int ss, int se, int ah, int al)
    {
        bool dcBand = ss == 0;
        bool bad = dcBand ? se != 0 : ss > se || se > 63 || components.Length != 1;
        if (ah != 0 && al != ah - 1 || al > 13) bad = true;
        if (bad) throw Corrupt($"progressive scan parameters (Ss={ss} Se={se} Ah={ah} Al={al})");
        foreach (var c in components)
        {
            var received = _coefBits[Array.IndexOf(Frame!.Components, c)];
            for (int k = ss; k <= se; k++) received[k] = al;
        }
    }

    /// <summary>A table the scan needs. libjpeg-turbo substitutes the standard tables for missing ones
    /// (Motion-JPEG frames); we leave those files to the fallback decoder.</summary>
    static void Table(HuffmanTable?[] tables, int index, bool dc)
    {
        var table = tables[index] ?? throw new JpegUnsupportedException("JPEG scan without its Huffman table (Motion-JPEG default tables)");
        if (dc && table.MaxSymbol > 15) throw Corrupt("DC Huffman table");
    }
}
