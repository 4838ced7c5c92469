namespace OrleansExemplars.Grains.Forwarding;

/// <summary>Whether a batch reached its endpoint.</summary>
public enum SendOutcome
{
    /// <summary>The endpoint acknowledged the batch (2xx, and for 2.0 with its written counts).</summary>
    Sent,

    /// <summary>The batch was given up and must not be sent again (see <see cref="DropReason"/>).</summary>
    Dropped,
}

/// <summary>Why a batch was dropped.</summary>
public enum DropReason
{
    None,

    /// <summary>A non-retryable answer (4xx other than 429, or any other non-2xx the retry policy does not retry).</summary>
    Rejected,

    /// <summary>
    /// A 2.0 endpoint answered 2xx without <c>X-Prometheus-Remote-Write-*-Written</c> headers: as the 2.0 spec asks,
    /// taken as 415 Unsupported Media Type (the receiver does not speak 2.0).
    /// </summary>
    Unsupported,

    /// <summary>Still failing (5xx, 429, network error or timeout) after <c>MaxRetries</c> retries.</summary>
    RetriesExhausted,

    /// <summary>The encoder cannot turn the series into a request (it would fail the same way on every attempt).</summary>
    Unencodable,
}

/// <summary>
/// What <see cref="RemoteWriteSender.SendAsync"/> did with a batch: <see cref="Series"/>, <see cref="Samples"/>,
/// <see cref="Histograms"/> and <see cref="Exemplars"/> are what the request carried, all sent or all dropped.
/// </summary>
public sealed record SendResult
{
    public required SendOutcome Outcome { get; init; }

    public DropReason Reason { get; init; }

    /// <summary>HTTP status of the last attempt; null when it got no response (refused, reset, timed out) or no request was needed.</summary>
    public int? StatusCode { get; init; }

    /// <summary>For a drop: what went wrong, with the start of the endpoint's answer (at most 1024 bytes of it).</summary>
    public string? Error { get; init; }

    public int Series { get; init; }

    public int Samples { get; init; }

    /// <summary>Native-histogram samples.</summary>
    public int Histograms { get; init; }

    public int Exemplars { get; init; }

    /// <summary>Series of the batch left out because they cannot be encoded (dropped and counted on their own).</summary>
    public int UnencodableSeries { get; init; }

    /// <summary>HTTP attempts made (0 for an empty batch).</summary>
    public int Attempts { get; init; }

    /// <summary>2.0 only: the endpoint's <c>X-Prometheus-Remote-Write-Samples-Written</c>, when present.</summary>
    public long? SamplesWritten { get; init; }

    /// <summary>2.0 only: the endpoint's <c>X-Prometheus-Remote-Write-Histograms-Written</c>, when present.</summary>
    public long? HistogramsWritten { get; init; }

    /// <summary>2.0 only: the endpoint's <c>X-Prometheus-Remote-Write-Exemplars-Written</c>, when present.</summary>
    public long? ExemplarsWritten { get; init; }

    public bool IsSent => Outcome == SendOutcome.Sent;

    /// <summary>The name <see cref="RemoteWriteMetrics"/> gives <see cref="Reason"/> in its <c>reason</c> tag.</summary>
    public static string ReasonTag(DropReason reason) => reason switch
    {
        DropReason.Rejected => "rejected",
        DropReason.Unsupported => "unsupported",
        DropReason.RetriesExhausted => "retries_exhausted",
        DropReason.Unencodable => "unencodable",
        _ => "none",
    };
}
