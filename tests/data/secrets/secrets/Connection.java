class Connection {
    private static final String PASSWORD = "⟦Fk‖8x9mrT-bfj1vx⟧";
    String url = "jdbc:mysql://db:3306/app?user=app&password=⟦Fk‖3XLa3c-4skb9x⟧";
}
