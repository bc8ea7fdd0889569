CREATE TABLE IF NOT EXISTS orders (
    id         VARCHAR(64) PRIMARY KEY,
    customer   VARCHAR(200) NOT NULL,
    sku        VARCHAR(64) NOT NULL,
    quantity   INT NOT NULL,
    cents      BIGINT NOT NULL,
    status     VARCHAR(20) NOT NULL,
    charged    BOOLEAN NOT NULL DEFAULT FALSE,
    reserved   BOOLEAN NOT NULL DEFAULT FALSE,
    payment_id VARCHAR(64)
);
CREATE TABLE IF NOT EXISTS stock (
    sku       VARCHAR(64) PRIMARY KEY,
    available INT NOT NULL
);
