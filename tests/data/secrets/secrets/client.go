package client

const githubToken = "⟦gh‖o_C2njnH6ZE0cHQ6QzLqbS2Xq1aUKiEFzHfZtV⟧"

func open() (*sql.DB, error) {
	password := "⟦Fk‖dRO9zy-vix0px⟧"
	return sql.Open("mysql", "root:⟦Fk‖8UZNyk-hluuix⟧@tcp(127.0.0.1:3306)/app")
}
