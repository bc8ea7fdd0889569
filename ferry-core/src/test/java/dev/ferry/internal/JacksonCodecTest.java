package dev.ferry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.RawJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JacksonCodecTest {
    private final JacksonCodec codec = new JacksonCodec();

    @Test
    void rawJsonIsWrittenAsItsJsonAtTheTopAndNested() {
        assertThat(codec.encode(new RawJson("{\"a\":[1,2]}"))).isEqualTo("{\"a\":[1,2]}");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("payload", new RawJson("{\"kind\":\"sales\"}"));
        doc.put("items", List.of(new RawJson("1"), new RawJson("\"x\"")));
        assertThat(codec.encode(doc)).isEqualTo("{\"payload\":{\"kind\":\"sales\"},\"items\":[1,\"x\"]}");
    }
}
