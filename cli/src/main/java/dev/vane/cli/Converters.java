package dev.vane.cli;

import dev.vane.engine.model.Backend;
import dev.vane.engine.model.WeightCache;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.weights.FileDType;
import dev.vane.lab.task.HeadSelection;
import dev.vane.lab.tokenizer.DigitSplit;
import dev.vane.lab.vector.FitMethod;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.PhaseScope;
import dev.vane.steering.plan.PlanException;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.function.Function;

/**
 * The value types of Vane's flags, each read by the parser of its own type so that the command
 * line accepts what requests and manifests accept; a bad value becomes a usage error naming the
 * flag ({@link Errors}). Numbers must be finite, booleans {@code true} or {@code false}.
 */
final class Converters {

    private Converters() {}

    /** Registers every converter on {@code cl} and the commands below it (call after the tree is built). */
    static CommandLine register(CommandLine cl) {
        ITypeConverter<Integer> integer = s -> number(s, Integer::valueOf);
        ITypeConverter<Long> longInteger = s -> number(s, Long::valueOf);
        ITypeConverter<Double> real = s -> {
            double x = number(s, Double::valueOf);
            if (!Double.isFinite(x)) throw new TypeConversionException("must be a finite number, got " + x);
            return x;
        };
        ITypeConverter<Boolean> bool = s -> switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new TypeConversionException("must be true or false, got '" + s + "'");
        };
        return cl.registerConverter(int.class, integer).registerConverter(Integer.class, integer)
                .registerConverter(long.class, longInteger).registerConverter(Long.class, longInteger)
                .registerConverter(double.class, real).registerConverter(Double.class, real)
                .registerConverter(boolean.class, bool).registerConverter(Boolean.class, bool)
                .registerConverter(ComputeDType.class, domain(ComputeDType::parse))
                .registerConverter(Backend.Request.class, domain(Backend.Request::parse))
                .registerConverter(WeightCache.class, domain(WeightCache::parse))
                .registerConverter(FileDType.class, domain(FileDType::parse))
                .registerConverter(FitMethod.class, domain(FitMethod::parse))
                .registerConverter(HeadSelection.Loss.class, domain(HeadSelection.Loss::parse))
                .registerConverter(DigitSplit.class, domain(DigitSplit::parse))
                .registerConverter(dev.vane.lab.data.Split.class, domain(dev.vane.lab.data.Split::parse))
                .registerConverter(PhaseScope.class, domain(PhaseScope::parse))
                .registerConverter(InterventionSpec.SkipMode.class, domain(InterventionSpec.SkipMode::parse))
                .registerConverter(InterventionSpec.ControllerMode.class, domain(InterventionSpec.ControllerMode::parse))
                .registerConverter(InterventionSpec.GactSelect.class, domain(InterventionSpec.GactSelect::parse))
                .registerConverter(dev.vane.steering.artifact.LayerRange.class,
                        domain(s -> dev.vane.steering.artifact.LayerRange.parse(s, "--layers")))
                .registerConverter(dev.vane.steering.plan.LayerRange.class, domain(Converters::planLayers));
    }

    /** {@code A-B} or {@code A}, as the layers of an intervention. */
    static dev.vane.steering.plan.LayerRange planLayers(String s) {
        String[] p = s.split("-", -1);
        try {
            if (p.length == 1) return new dev.vane.steering.plan.LayerRange(Integer.parseInt(p[0].trim()), Integer.parseInt(p[0].trim()));
            if (p.length == 2) return new dev.vane.steering.plan.LayerRange(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--layers must be A-B or A (layer indices), got '" + s + "'");
    }

    private static <T> T number(String s, Function<String, T> parse) {
        try {
            return parse.apply(s.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a number: '" + s + "'");
        }
    }

    /** A domain parser whose errors (messages that name the value's field) become conversion errors. */
    private static <T> ITypeConverter<T> domain(Function<String, T> parse) {
        return s -> {
            try {
                return parse.apply(s);
            } catch (PlanException e) {
                throw new TypeConversionException(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        };
    }
}
