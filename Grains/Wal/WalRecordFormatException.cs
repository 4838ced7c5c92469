namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// A WAL record payload whose frame was intact but which is not a <see cref="WalExemplarRecord"/> this version reads:
/// cut short, lengths or indexes past its end, invalid UTF-8, or an unknown version. The only exception
/// <see cref="WalExemplarRecord.Decode(ReadOnlySpan{byte})"/> throws.
/// </summary>
public sealed class WalRecordFormatException(string message) : Exception(message);
