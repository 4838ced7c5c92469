namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// A pattern Go's RE2 accepts that this server cannot run with RE2's meaning (Unicode script classes such as
/// <c>\p{Greek}</c>: .NET has no script tables). Reported to the client as a bad request, never guessed at.
/// </summary>
public sealed class Re2UnsupportedException(string message) : ArgumentException(message);
