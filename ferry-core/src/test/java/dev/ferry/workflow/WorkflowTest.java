package dev.ferry.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.InvalidInputException;
import dev.ferry.Task;
import dev.ferry.workflow.Workflow.Input;
import dev.ferry.workflow.Workflow.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the builders compile into a graph: names, dependencies, input shapes, results. */
class WorkflowTest {
    private static Task t(String type) {
        return Task.of(type, new Object());
    }

    private static Step step(Workflow w, String name) {
        return w.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void chainLinksEachStepToThePreviousWithASingleInput() {
        Workflow w = Workflow.chain(t("a"), Workflow.step("b"), Workflow.step("b"));
        assertThat(w.steps()).extracting(Step::name).containsExactly("a", "b", "b-2");
        assertThat(step(w, "a").input()).isEqualTo(Input.NONE);
        assertThat(step(w, "b").dependsOn()).containsExactly("a");
        assertThat(step(w, "b-2").dependsOn()).containsExactly("b");
        assertThat(step(w, "b-2").input()).isEqualTo(Input.SINGLE);
        assertThat(step(w, "b").inputIsPayload()).isTrue();
        assertThat(step(w, "a").inputIsPayload()).isFalse();
        assertThat(w.lastSteps()).containsExactly("b-2");
        assertThat(w.resultIsList()).isFalse();
        assertThat(w.policy()).isEqualTo(FailurePolicy.FAIL_REST);
    }

    @Test
    void groupsFanOutAndIn() {
        Workflow w = Workflow.chain(t("a"), Workflow.group(t("b"), Workflow.chain(t("c"), t("d"))), t("e"));
        assertThat(step(w, "b").dependsOn()).containsExactly("a");
        assertThat(step(w, "c").dependsOn()).containsExactly("a");
        assertThat(step(w, "c").input()).isEqualTo(Input.SINGLE);
        assertThat(step(w, "e").dependsOn()).containsExactly("b", "d");
        assertThat(step(w, "e").input()).isEqualTo(Input.LIST);
    }

    @Test
    void aChordCallbackAndAFlowParentAlwaysGetAList() {
        Workflow chord = Workflow.chord(Workflow.group(t("a")), t("cb"));
        assertThat(step(chord, "cb").input()).isEqualTo(Input.LIST);
        Workflow flow = Workflow.flow(Workflow.step("root", t("p")), Workflow.flow(Workflow.step("mid", t("p")), t("leaf")));
        assertThat(step(flow, "mid").dependsOn()).containsExactly("leaf");
        assertThat(step(flow, "mid").input()).isEqualTo(Input.LIST);
        assertThat(step(flow, "root").dependsOn()).containsExactly("mid");
        assertThat(flow.steps()).extracting(Step::name).containsExactly("leaf", "mid", "root");
        assertThat(Workflow.group(t("a"), t("b")).resultIsList()).isTrue();
        assertThat(Workflow.flow(t("alone")).steps()).hasSize(1);
    }

    @Test
    void explicitNamesWinOverTypeNames() {
        Workflow w = Workflow.group(t("x"), Workflow.step("x", t("y")));
        assertThat(w.steps()).extracting(Step::name).containsExactly("x-2", "x");
    }

    @Test
    void aGraphIsOrderedDependenciesFirstAndCyclesAreNamed() {
        Workflow w = Workflow.dag().step("c", t("t"), "a", "b").step("b", t("t"), "a").step("a", t("t")).build();
        assertThat(w.steps()).extracting(Step::name).containsExactly("a", "b", "c");
        assertThat(step(w, "c").input()).isEqualTo(Input.LIST);
        assertThat(step(w, "b").input()).isEqualTo(Input.SINGLE);
        assertThatThrownBy(() -> Workflow.dag().step("a", t("t"), "b").step("b", t("t"), "a").step("c", t("t")).build())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.field()).isEqualTo("steps");
                    assertThat(e.getMessage()).contains("cycle among [a, b]");
                });
    }

    @Test
    void composingAWorkflowTwiceCopiesItsSteps() {
        Workflow g = Workflow.group(t("m"), t("m"));
        Workflow w = Workflow.chain(g, g);
        assertThat(w.steps()).extracting(Step::name).containsExactly("m", "m-2", "m-3", "m-4");
        assertThat(step(w, "m-3").dependsOn()).isEqualTo(List.of("m", "m-2"));
        assertThat(g.steps()).hasSize(2);
    }
}
